#include "exec/task_key.h"

#include <algorithm>
#include <iterator>
#include <map>

#include "util/sha256.h"

namespace mg {
namespace {

std::string Short(const Json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : CanonicalJson(v);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

// Flattens nested objects into dotted paths so a change deep in "source" reads well.
void Flatten(const Json& v, const std::string& prefix, std::map<std::string, Json>* out) {
  if (v.is_object() && !v.empty()) {
    for (auto& [k, child] : v.items()) Flatten(child, prefix.empty() ? k : prefix + "." + k, out);
  } else {
    (*out)[prefix] = v;
  }
}

void Compare(const std::string& what, const Json& now, const Json& before, std::vector<std::string>* out) {
  std::map<std::string, Json> a, b;
  Flatten(now, "", &a);
  Flatten(before, "", &b);
  for (auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end()) out->push_back(what + " " + k + " added: " + Short(v));
    else if (it->second != v) out->push_back(what + " " + k + " changed: " + Short(it->second) + " -> " + Short(v));
  }
  for (auto& [k, v] : b) {
    if (!a.count(k)) out->push_back(what + " " + k + " removed (was " + Short(v) + ")");
  }
}

}  // namespace

Json KeyMaterial(const Task& task, const std::vector<KeyInput>& inputs) {
  Json in = Json::object();
  for (const KeyInput& i : inputs) in[std::string(i.id)] = std::string(i.result_hash);
  return Json{{"v", 1}, {"type", TaskTypeName(task.type)}, {"params", task.Params()},
              {"identity", task.Identity()}, {"inputs", std::move(in)}};
}

std::string TaskKey(const Json& material) { return Sha256Hex(CanonicalJson(material)); }

std::string TaskKeyOf(const Task& task, const std::vector<KeyInput>& inputs) {
  // Keys in canonical (sorted) order: identity, inputs, params, type, v. Inputs sorted by id, the
  // last of duplicate ids winning, as KeyMaterial's object assignment does. Tasks have few inputs.
  const KeyInput* stack[8];
  std::vector<const KeyInput*> heap;
  const KeyInput** sorted = stack;
  if (inputs.size() > std::size(stack)) {
    heap.resize(inputs.size());
    sorted = heap.data();
  }
  for (size_t k = 0; k < inputs.size(); ++k) sorted[k] = &inputs[k];
  std::stable_sort(sorted, sorted + inputs.size(), [](const KeyInput* a, const KeyInput* b) { return a->id < b->id; });
  std::string_view identity = task.IdentityText();
  std::string text;
  text.reserve(64 + identity.size() + task.params_text.size() + inputs.size() * 100);
  CanonicalJsonWriter w(&text);
  w.BeginObject().Key("identity").Raw(identity).Key("inputs").BeginObject();
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (k + 1 < inputs.size() && sorted[k + 1]->id == sorted[k]->id) continue;
    w.DynamicKey(sorted[k]->id).String(sorted[k]->result_hash);
  }
  w.EndObject().Key("params").Raw(task.params_text).Key("type").String(TaskTypeName(task.type));
  w.Key("v").Int(1).EndObject();
  return Sha256Hex(text);
}

std::vector<std::string> DescribeKeyChanges(const Json& material, const Json& previous) {
  std::vector<std::string> out;
  if (!previous.is_object()) return out;
  if (!previous.contains("params") && !previous.contains("identity") && !previous.contains("inputs")) {
    // A cache record whose key material was lost (cache-material.log damaged or removed).
    out.push_back("the previous key material is not recorded (cache-material.log lost or damaged): what changed is unknown");
    return out;
  }
  Compare("parameter", material.value("params", Json::object()), previous.value("params", Json::object()), &out);
  const Json now_id = material.value("identity", Json::object());
  const Json old_id = previous.value("identity", Json::object());
  if (now_id.value("plugin", Json()) != old_id.value("plugin", Json())) {
    const Json a = old_id.value("plugin", Json::object()), b = now_id.value("plugin", Json::object());
    if (a.value("name", "") == b.value("name", "")) {
      out.push_back("plugin " + b.value("name", "?") + " " + a.value("version", "?") + " -> " +
                    b.value("version", "?"));
    } else {
      out.push_back("plugin changed: " + a.value("name", "?") + " -> " + b.value("name", "?"));
    }
  }
  if (now_id.value("engine", Json()) != old_id.value("engine", Json())) {
    out.push_back("engine " + Short(old_id.value("engine", Json())) + " -> " + Short(now_id.value("engine", Json())));
  }
  if (now_id.value("builder", Json()) != old_id.value("builder", Json())) {
    out.push_back("builder " + Short(old_id.value("builder", Json())) + " -> " +
                  Short(now_id.value("builder", Json())));
  }
  const Json ni = material.value("inputs", Json::object()), oi = previous.value("inputs", Json::object());
  for (auto& [k, v] : ni.items()) {
    if (!oi.contains(k)) out.push_back("new input " + k);
    else if (oi[k] != v) out.push_back("input " + k + " changed");
  }
  return out;
}

}  // namespace mg
