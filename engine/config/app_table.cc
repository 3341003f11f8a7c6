#include "config/app_table.h"

#include <sstream>

#include "config/toml_reader.h"

namespace mg {
namespace {

template <typename T>
std::string TomlText(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string ChildPath(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

Json Convert(const toml::node& node, const std::string& file, const std::string& qualified, const std::string& path,
             std::map<std::string, SourcePos>* positions, Diagnostics* diags) {
  if (positions != nullptr && !path.empty()) (*positions)[path] = ToSourcePos(file, node.source());
  switch (node.type()) {
    case toml::node_type::table: {
      Json out = Json::object();
      for (const auto& [key, child] : *node.as_table()) {
        std::string k(key.str());
        out[k] = Convert(child, file, ChildPath(qualified, k), ChildPath(path, k), positions, diags);
      }
      return out;
    }
    case toml::node_type::array: {
      Json out = Json::array();
      size_t i = 0;
      for (const toml::node& child : *node.as_array()) {
        std::string index = "[" + std::to_string(i++) + "]";
        out.push_back(Convert(child, file, qualified + index, path + index, positions, diags));
      }
      return out;
    }
    case toml::node_type::string: return node.as_string()->get();
    case toml::node_type::integer: return node.as_integer()->get();
    case toml::node_type::boolean: return node.as_boolean()->get();
    case toml::node_type::date: return TomlText(node.as_date()->get());
    case toml::node_type::time: return TomlText(node.as_time()->get());
    case toml::node_type::date_time: return TomlText(node.as_date_time()->get());
    case toml::node_type::floating_point:
      diags->Add(ToSourcePos(file, node.source()),
                 qualified + ": floating-point numbers are not supported; write the value as a string or an integer");
      return nullptr;
    case toml::node_type::none: break;
  }
  return nullptr;
}

}  // namespace

Json TomlToJson(const toml::node& node, const std::string& file, const std::string& qualified,
                std::map<std::string, SourcePos>* positions, Diagnostics* diags) {
  return Convert(node, file, qualified, "", positions, diags);
}

}  // namespace mg
