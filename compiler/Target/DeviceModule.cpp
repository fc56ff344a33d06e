//===- DeviceModule.cpp - one artifact for the CPU and a GPU --------------===//

#include "compiler/Target/DeviceModule.h"

#include "dialects/nn/IR/NNDialect.h"

#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
namespace json = llvm::json;

namespace {

/// An external function's declaration (the same runtime function both
/// modules call).
bool isDeclaration(Operation &op) {
  auto f = dyn_cast<FunctionOpInterface>(op);
  return f && f.isExternal();
}

bool sameBuffers(const nnc::EntrySpec &a, const nnc::EntrySpec &b) {
  if (a.buffers.size() != b.buffers.size())
    return false;
  for (auto [x, y] : llvm::zip(a.buffers, b.buffers))
    if (x.role != y.role || x.name != y.name || x.shape != y.shape ||
        x.dtype != y.dtype)
      return false;
  return true;
}

} // namespace

bool nnc::mergeDeviceModule(ModuleOp host, ModuleOp device,
                            const std::string &deviceName,
                            const std::string &arch, ArtifactABI &abi,
                            std::string &error) {
  std::optional<ArtifactABI> deviceABI = readArtifactABI(device);
  if (!deviceABI) {
    error = "internal: the " + deviceName + " pipeline exported no entries";
    return false;
  }
  size_t hostEntries = abi.entries.size();
  for (EntrySpec &e : deviceABI->entries) {
    e.device = deviceName;
    auto host = llvm::ArrayRef(abi.entries).take_front(hostEntries);
    const EntrySpec *twin = llvm::find_if(host, [&](const EntrySpec &h) {
      return h.model == e.model && h.kind == e.kind && h.name == e.name;
    });
    if (twin == host.end() || !sameBuffers(*twin, e)) {
      error = "internal: the " + deviceName + " entry '" + e.label() +
              "' does not take the CPU entry's buffers";
      return false;
    }
    abi.entries.push_back(e);
  }

  // Symbols: the device module's definitions move over, renamed where the
  // host has the name (constants both lower, say); declarations of the same
  // external function are kept once.
  SymbolTable hostSymbols(host), deviceSymbols(device);
  for (Operation &op : llvm::make_early_inc_range(*device.getBody())) {
    auto symbol = dyn_cast<SymbolOpInterface>(op);
    if (!symbol || !hostSymbols.lookup(symbol.getName()))
      continue;
    if (isDeclaration(op))
      continue;
    std::string fresh = deviceName + "." + symbol.getName().str();
    if (failed(deviceSymbols.rename(&op, fresh))) {
      error = "internal: could not rename '" + symbol.getName().str() + "'";
      return false;
    }
  }
  for (Operation &op : llvm::make_early_inc_range(*device.getBody())) {
    auto symbol = dyn_cast<SymbolOpInterface>(op);
    if (symbol && isDeclaration(op) && hostSymbols.lookup(symbol.getName())) {
      op.erase();
      continue;
    }
    op.moveBefore(host.getBody(), host.getBody()->end());
  }
  for (NamedAttribute a : device->getAttrs())
    if (!host->hasAttr(a.getName()) &&
        a.getName().getValue() != nn::kManifestAttr)
      host->setAttr(a.getName(), a.getValue());

  llvm::Expected<json::Value> root = json::parse(abi.manifest);
  if (!root) {
    error = "internal: " + llvm::toString(root.takeError());
    return false;
  }
  json::Object &object = *root->getAsObject();
  json::Array devices;
  if (const json::Array *old = object.getArray("devices"))
    devices = *old;
  else
    devices.push_back("cpu");
  devices.push_back(deviceName);
  object["devices"] = std::move(devices);
  object[deviceName + "_arch"] = arch;
  std::string out;
  llvm::raw_string_ostream os(out);
  os << json::Value(std::move(*root));
  abi.manifest = out;
  return true;
}
