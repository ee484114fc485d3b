#include "formats/dialect_registry.h"

namespace passerelle::formats {

const DialectRegistry& DialectRegistry::instance() {
  static const DialectRegistry registry = [] {
    DialectRegistry r;
    registerBuiltinDialects(r);
    return r;
  }();
  return registry;
}

void DialectRegistry::add(std::string name, Factory factory) {
  factories_[std::move(name)] = std::move(factory);
}

std::unique_ptr<Dialect> DialectRegistry::create(std::string_view name) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) return nullptr;
  return it->second();
}

std::vector<std::string> DialectRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, factory] : factories_) out.push_back(name);
  return out;
}

void registerBuiltinDialects(DialectRegistry& registry) {
  registerYmagDialect(registry);
  registerGilDialect(registry);
  registerSigmaDialect(registry);
}

}  // namespace passerelle::formats
