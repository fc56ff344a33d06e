//===- ExportArtifact.cpp - the entry wrappers and the manifest -----------===//
//
// The artifact ABI (see runtime/include/nnrt.h and docs/artifacts.md):
//
//   void nnc_<model>_<kind>[_<def>](int64_t batch, void **buffers);
//
// `buffers` holds one data pointer per argument of the function the entry
// runs, in argument order, each a dense row-major array of the element type
// the manifest names; every dynamic dimension is `batch`. The wrapper
// expands each pointer into the memref descriptor (allocated, aligned,
// offset, sizes, strides) the function takes, so the runtime never needs
// to know MLIR's calling convention.
//
// Both the wrappers and the manifest are derived here, from the signatures
// bufferization produced: nothing earlier predicts the ABI. Each wrapper
// also brackets its call with nnc_scratch_mark/nnc_scratch_release, the
// runtime's arena for the entry's temporaries.
//
//===----------------------------------------------------------------------===//

#include "compiler/Target/Passes.h"

#include "compiler/Target/Manifest.h"
#include "dialects/nn/IR/NNDialect.h"

#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace nnc {
#define GEN_PASS_DEF_EXPORTARTIFACT
#include "compiler/Target/Passes.h.inc"
} // namespace nnc

using namespace mlir;

namespace {

std::string elementTypeName(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << getElementTypeOrSelf(t);
  return s;
}

/// The role and name of argument `i`: what the earlier passes tagged it.
std::pair<std::string, std::string> argRole(func::FuncOp f, unsigned i) {
  using namespace nnc::nn;
  static const std::pair<llvm::StringLiteral, const char *> kRoles[] = {
      {kInputAttr, "input"}, {kTargetAttr, "target"}, {kParamAttr, "param"},
      {kStateAttr, "state"}, {kHyperAttr, "hyper"},   {kOutputAttr, "output"}};
  for (auto [attr, role] : kRoles)
    if (auto name = f.getArgAttrOfType<StringAttr>(i, attr))
      return {role, name.str()};
  return {"", ""};
}

/// The entry `f` is exported as, if it is one: a model's inference, or a
/// train, eval or def entry.
std::optional<nnc::EntrySpec> entryOf(func::FuncOp f) {
  nnc::EntrySpec e;
  if (f->hasAttr(nnc::nn::kModelAttr)) {
    e.model = f.getName().str();
    e.kind = "infer";
  } else if (auto d = f->getAttrOfType<DictionaryAttr>(nnc::nn::kEntryAttr)) {
    e.model = d.getAs<StringAttr>("model").str();
    e.kind = d.getAs<StringAttr>("kind").str();
    if (auto name = d.getAs<StringAttr>("name"))
      e.name = name.str();
  } else {
    return std::nullopt;
  }
  e.symbol = "nnc_" + e.model + "_" + e.kind +
             (e.name.empty() ? "" : "_" + e.name);
  return e;
}

struct ExportArtifactPass
    : nnc::impl::ExportArtifactBase<ExportArtifactPass> {
  using ExportArtifactBase::ExportArtifactBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::vector<nnc::EntrySpec> entries;
    SmallVector<func::FuncOp> functions;
    for (auto f : module.getOps<func::FuncOp>()) {
      std::optional<nnc::EntrySpec> e = entryOf(f);
      if (!e || f.isExternal())
        continue;
      if (!device.empty()) {
        e->device = device;
        e->symbol += "_" + device;
      }
      if (failed(describe(f, *e)))
        return signalPassFailure();
      entries.push_back(std::move(*e));
      functions.push_back(f);
    }
    for (auto [f, e] : llvm::zip(functions, entries))
      addWrapper(module, f, e);
    module->setAttr(nnc::nn::kManifestAttr,
                    StringAttr::get(&getContext(),
                                    nnc::buildManifest(module, entries)));
    // The artifact's only symbols are its entry points and descriptor; the
    // functions behind them get names no C symbol can have, so that a model
    // called `main`, `malloc` or `nnrt_cli_main` clashes with nothing (the
    // memref lowering declares malloc and free; executables add main).
    SymbolTable symbols(module);
    for (func::FuncOp f : functions)
      if (failed(symbols.rename(f, internalName(f.getName()))))
        return signalPassFailure();
  }

  /// What no C symbol can be called: `nnc.<name>`; on a device
  /// `nnc_<device>$<name>`, because the kernels outlined from it are named
  /// after it and PTX names take `$` but not `.`.
  std::string internalName(StringRef name) {
    if (device.empty())
      return ("nnc." + name).str();
    return ("nnc_" + device + "$" + name).str();
  }

  /// The buffers of `f`'s entry, from its final signature.
  LogicalResult describe(func::FuncOp f, nnc::EntrySpec &e) {
    if (f.getNumResults() != 0)
      return f.emitError() << "internal: '" << f.getName()
                           << "' still returns values after bufferization; "
                              "every result must be written into an argument";
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      auto type = dyn_cast<MemRefType>(f.getArgument(i).getType());
      auto [role, name] = argRole(f, i);
      if (!type || !type.getLayout().isIdentity() || role.empty())
        return f.emitError() << "internal: argument #" << i << " of '"
                             << f.getName()
                             << "' is not a tagged dense memref";
      std::vector<int64_t> shape;
      for (int64_t d : type.getShape())
        shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
      e.buffers.push_back({role, name, shape, elementTypeName(type)});
    }
    return success();
  }

  /// `void symbol(i64 batch, ptr buffers)`: data pointers to descriptors,
  /// then the call.
  void addWrapper(ModuleOp module, func::FuncOp f, const nnc::EntrySpec &e) {
    MLIRContext *ctx = &getContext();
    Location loc = f.getLoc();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    Type i64 = b.getI64Type();
    auto wrapper = func::FuncOp::create(b, loc, e.symbol,
                                        b.getFunctionType({i64, ptr}, {}));
    Block *body = wrapper.addEntryBlock();
    b.setInsertionPointToStart(body);
    Value batch = body->getArgument(0), buffers = body->getArgument(1);

    LLVMTypeConverter converter(ctx);
    SmallVector<Value> args;
    for (auto [i, arg] : llvm::enumerate(f.getArguments())) {
      auto type = cast<MemRefType>(arg.getType());
      Value slot = LLVM::GEPOp::create(
          b, loc, ptr, ptr, buffers,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      Value data = LLVM::LoadOp::create(b, loc, ptr, slot);
      auto d = MemRefDescriptor::poison(b, loc,
                                        converter.convertType(type));
      d.setAllocatedPtr(b, loc, data);
      d.setAlignedPtr(b, loc, data);
      d.setConstantOffset(b, loc, 0);
      // Row-major strides, innermost first.
      Value stride = LLVM::ConstantOp::create(b, loc, i64, 1);
      for (int64_t k = type.getRank() - 1; k >= 0; --k) {
        int64_t dim = type.getDimSize(k);
        Value size = ShapedType::isDynamic(dim)
                         ? batch
                         : LLVM::ConstantOp::create(b, loc, i64, dim);
        d.setSize(b, loc, k, size);
        d.setStride(b, loc, k, stride);
        stride = LLVM::MulOp::create(b, loc, stride, size);
      }
      args.push_back(UnrealizedConversionCastOp::create(
                         b, loc, type, ValueRange{Value(d)})
                         .getResult(0));
    }
    // The entry's temporaries come from the scratch arena and go back to
    // it when the entry returns (runtime/src/Scratch.cpp).
    Value mark =
        func::CallOp::create(b, loc, scratchFunction(module, "nnc_scratch_mark",
                                                     {}, {i64}),
                             ValueRange{})
            .getResult(0);
    func::CallOp::create(b, loc, f, args);
    func::CallOp::create(
        b, loc, scratchFunction(module, "nnc_scratch_release", {i64}, {}),
        ValueRange{mark});
    wrapper.setPublic();
    func::ReturnOp::create(b, loc);
  }

  /// The declaration of runtime function `name`, made once.
  func::FuncOp scratchFunction(ModuleOp module, StringRef name,
                               TypeRange inputs, TypeRange results) {
    if (auto f = module.lookupSymbol<func::FuncOp>(name))
      return f;
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    auto f = func::FuncOp::create(b, module.getLoc(), name,
                                  b.getFunctionType(inputs, results));
    f.setPrivate();
    return f;
  }
};

} // namespace
