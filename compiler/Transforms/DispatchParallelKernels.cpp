//===- DispatchParallelKernels.cpp - parallel kernels on the thread pool --===//
//
// The runtime's pool calls one function type for every kernel,
// void(ptr ctx, i64 lo, i64 hi), while each kernel takes its own list of
// expanded memref descriptors. So each dispatched kernel gets a task
// function that unpacks the struct its caller filled. Done on the LLVM
// dialect, where a kernel's arguments are plain scalars and pointers.
//
//===----------------------------------------------------------------------===//

#include "compiler/Transforms/Passes.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace nnc {
#define GEN_PASS_DEF_DISPATCHPARALLELKERNELS
#include "compiler/Transforms/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kParallelFor = "nnc_parallel_for";

struct DispatchParallelKernelsPass
    : nnc::impl::DispatchParallelKernelsBase<DispatchParallelKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<LLVM::CallOp> calls;
    module.walk([&](LLVM::CallOp call) {
      if (call->hasAttr(nnc::nn::kParallelDispatchAttr))
        calls.push_back(call);
    });
    for (LLVM::CallOp call : calls)
      if (failed(dispatch(call, symbols)))
        return signalPassFailure();
  }

  LogicalResult dispatch(LLVM::CallOp call, SymbolTable &symbols) {
    auto callee = call.getCallee()
                      ? symbols.lookup<LLVM::LLVMFuncOp>(*call.getCallee())
                      : nullptr;
    auto i64 = IntegerType::get(&getContext(), 64);
    if (!callee || call.getNumOperands() < 2 || call.getNumResults() != 0 ||
        call.getOperand(0).getType() != i64 ||
        call.getOperand(1).getType() != i64)
      return call.emitError() << "internal: '"
                              << nnc::nn::kParallelDispatchAttr
                              << "' on a call that is not (i64 lo, i64 hi, "
                                 "...) -> () of a kernel";
    ValueRange captured = call.getOperands().drop_front(2);
    auto ctxType = LLVM::LLVMStructType::getLiteral(
        &getContext(), llvm::to_vector(captured.getTypes()));
    LLVM::LLVMFuncOp task = taskFor(callee, ctxType, symbols);
    LLVM::LLVMFuncOp parallelFor = runtimeFunction(symbols);

    auto caller = call->getParentOfType<LLVM::LLVMFuncOp>();
    Location loc = call.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(&getContext());
    auto b = OpBuilder::atBlockBegin(&caller.getBody().front());
    Value one = LLVM::ConstantOp::create(b, loc, i64, 1);
    Value ctx = LLVM::AllocaOp::create(b, loc, ptr, ctxType, one);

    b.setInsertionPoint(call);
    Value fields = LLVM::PoisonOp::create(b, loc, ctxType);
    for (auto [i, v] : llvm::enumerate(captured))
      fields = LLVM::InsertValueOp::create(b, loc, fields, v, i);
    LLVM::StoreOp::create(b, loc, fields, ctx);
    Value fn = LLVM::AddressOfOp::create(b, loc, task);
    LLVM::CallOp::create(b, loc, parallelFor,
                         ValueRange{fn, ctx, call.getOperand(0),
                                    call.getOperand(1)});
    call.erase();
    return success();
  }

  /// `@<kernel>.task(ptr ctx, i64 lo, i64 hi)`: calls the kernel with the
  /// range and the arguments in *ctx.
  LLVM::LLVMFuncOp taskFor(LLVM::LLVMFuncOp kernel, Type ctxType,
                           SymbolTable &symbols) {
    std::string name = (kernel.getName() + ".task").str();
    if (auto existing = symbols.lookup<LLVM::LLVMFuncOp>(name))
      return existing;
    MLIRContext *c = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(c);
    auto i64 = IntegerType::get(c, 64);
    OpBuilder b(kernel);
    b.setInsertionPointAfter(kernel);
    Location loc = kernel.getLoc();
    auto task = LLVM::LLVMFuncOp::create(
        b, loc, name,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(c),
                                    {ptr, i64, i64}),
        LLVM::Linkage::Internal);
    symbols.insert(task);
    Block *entry = task.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    Value fields = LLVM::LoadOp::create(b, loc, ctxType, entry->getArgument(0));
    SmallVector<Value> args = {entry->getArgument(1), entry->getArgument(2)};
    auto structType = cast<LLVM::LLVMStructType>(ctxType);
    for (unsigned i = 0; i < structType.getBody().size(); ++i)
      args.push_back(LLVM::ExtractValueOp::create(b, loc, fields, i));
    LLVM::CallOp::create(b, loc, kernel, args);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    return task;
  }

  /// The declaration of nnc_parallel_for(ptr task, ptr ctx, i64, i64).
  LLVM::LLVMFuncOp runtimeFunction(SymbolTable &symbols) {
    if (auto f = symbols.lookup<LLVM::LLVMFuncOp>(kParallelFor))
      return f;
    MLIRContext *c = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(c);
    auto i64 = IntegerType::get(c, 64);
    ModuleOp module = getOperation();
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    auto f = LLVM::LLVMFuncOp::create(
        b, module.getLoc(), kParallelFor,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(c),
                                    {ptr, ptr, i64, i64}));
    symbols.insert(f);
    return f;
  }
};

} // namespace
