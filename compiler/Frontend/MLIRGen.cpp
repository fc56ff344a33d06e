//===- MLIRGen.cpp - elaborates a checked AST into the nn dialect ---------===//
//
// The driver of the elaborator (Gen/Generator.h) and its shared helpers:
// locations, errors, types, constants, parameters and layer names.
//
//===----------------------------------------------------------------------===//

#include "compiler/Frontend/MLIRGen.h"

#include "compiler/Frontend/Gen/Generator.h"
#include "compiler/Frontend/Lexer.h"
#include "compiler/Frontend/Parser.h"
#include "dialects/nn/IR/NNShapes.h"

using namespace nnc;
using namespace nnc::gen;

namespace nnc::gen {

mlir::Location Generator::loc(llvm::SMLoc l) {
  llvm::SourceMgr &sm = diags.getSourceMgr();
  unsigned buf = sm.FindBufferContainingLoc(l);
  if (!buf)
    return builder.getUnknownLoc();
  auto [line, col] = sm.getLineAndColumn(l, buf);
  return mlir::FileLineColLoc::get(
      &ctx, sm.getMemoryBuffer(buf)->getBufferIdentifier(), line, col);
}

bool Generator::error(llvm::SMLoc l, const llvm::Twine &msg) {
  diags.error(l, msg);
  return false;
}

mlir::RankedTensorType Generator::tensorType(Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType());
}

std::string Generator::shapeOf(Value v) {
  return nn::formatShape(tensorType(v).getShape());
}

mlir::Type Generator::elementType(const std::string &dtype) {
  return dtype == "f64" ? mlir::Type(builder.getF64Type())
                        : mlir::Type(builder.getF32Type());
}

/// The type of a model input `f32[4]`: a dynamic batch in front.
mlir::RankedTensorType Generator::inputType(const TypeSpec &t) {
  llvm::SmallVector<int64_t> shape{mlir::ShapedType::kDynamic};
  shape.append(t.dims.begin(), t.dims.end());
  return mlir::RankedTensorType::get(shape, elementType(t.dtype));
}

Value Generator::scalarConstant(double v, mlir::Type elementType, llvm::SMLoc l) {
  auto type = mlir::RankedTensorType::get({}, elementType);
  auto attr = mlir::DenseElementsAttr::get(
      type, llvm::ArrayRef<mlir::Attribute>{
                mlir::FloatAttr::get(elementType, v)});
  return mlir::arith::ConstantOp::create(builder, loc(l), attr);
}

/// A fresh parameter of the function under construction.
Value Generator::addParam(FuncState &fs, const std::string &name,
                          llvm::ArrayRef<int64_t> shape, mlir::Type elementType,
                          const std::string &init, bool trainable, llvm::SMLoc l) {
  auto type = mlir::RankedTensorType::get(shape, elementType);
  fs.params.push_back({name, init, trainable});
  fs.paramScalars += type.getNumElements();
  return fs.func.getBody().front().addArgument(type, loc(l));
}

/// Keras-style unique names: dense, dense_1, ... or the user's `name:`.
std::optional<std::string> Generator::instanceName(FuncState &fs, llvm::StringRef kind,
                                                   llvm::StringRef explicitName,
                                                   llvm::SMLoc l) {
  std::optional<std::string> name = uniqueName(fs, kind, explicitName, l);
  if (name && fs.firstInstanceName.empty())
    fs.firstInstanceName = *name;
  return name;
}

std::optional<std::string> Generator::uniqueName(FuncState &fs, llvm::StringRef kind,
                                                 llvm::StringRef explicitName,
                                                 llvm::SMLoc l) {
  std::string name;
  if (!explicitName.empty()) {
    name = fs.prefix + explicitName.str();
    if (!fs.usedNames.insert(name).second) {
      error(l, "duplicate layer name '" + explicitName + "'");
      return std::nullopt;
    }
    return name;
  }
  do {
    unsigned n = fs.autoNames[fs.prefix + kind.str()]++;
    name = fs.prefix + kind.str() + (n ? "_" + std::to_string(n) : "");
  } while (!fs.usedNames.insert(name).second);
  return name;
}

} // namespace nnc::gen

mlir::OwningOpRef<mlir::ModuleOp>
nnc::generateMLIR(mlir::MLIRContext &context, const Module &module,
                  const SemaResult &sema, DiagnosticEngine &diags) {
  context.loadDialect<nn::NNDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect>();
  return Generator(context, module, sema, diags).run();
}

mlir::OwningOpRef<mlir::ModuleOp>
nnc::generateMLIRFromSource(mlir::MLIRContext &context,
                            DiagnosticEngine &diags) {
  llvm::SourceMgr &sm = diags.getSourceMgr();
  Lexer lexer(sm.getMemoryBuffer(sm.getMainFileID())->getBuffer(), diags);
  Parser parser(lexer, diags);
  std::unique_ptr<ast::Module> module = parser.parseModule();
  SemaResult sema = analyze(*module, diags);
  if (diags.hadErrors())
    return nullptr;
  return generateMLIR(context, *module, sema, diags);
}

