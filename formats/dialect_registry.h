// DialectRegistry: dialects created by name ("ymag", "gil", "sigma").
//
// Built-in dialects register themselves through registerBuiltinDialects();
// a fourth one adds its register function there and touches nothing else.
//
// Thread safety: the registry is filled once, on first use of instance();
// afterwards it is only read and may be used from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/dialect.h"

namespace passerelle::formats {

class DialectRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Dialect>()>;

  // The registry holding the built-in dialects.
  static const DialectRegistry& instance();

  void add(std::string name, Factory factory);
  // nullptr if no dialect has that name.
  std::unique_ptr<Dialect> create(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Factory, std::less<>> factories_;
};

void registerBuiltinDialects(DialectRegistry& registry);
void registerYmagDialect(DialectRegistry& registry);
void registerGilDialect(DialectRegistry& registry);
void registerSigmaDialect(DialectRegistry& registry);

}  // namespace passerelle::formats
