/* mirrorgraph plugin ABI, version 1.
 *
 * A plugin is a shared library exporting one C entry point, MG_PLUGIN_ENTRY_SYMBOL, that returns a
 * pointer to a static, immutable mg_plugin table. Everything that crosses the boundary is plain C:
 * JSON documents as (pointer, length) UTF-8 strings, integers, and function pointers. No C++ type and
 * no exception ever crosses it.
 *
 * Memory: a string a plugin returns through an `out` parameter is allocated by the plugin and released
 * by the engine with the plugin's own `free_string`. A string the host returns to the plugin is
 * allocated by the host and released by the plugin with the host's `free_string`. Input strings are
 * borrowed for the duration of the call only.
 *
 * Errors: every call returns 0 on success. On failure it returns non-zero and, when `errptr` is not
 * NULL, stores a NUL-terminated message in *errptr allocated like an `out` string (the caller frees
 * it with the callee's free_string). Messages say what is wrong and how to fix it.
 *
 * Thread-safety: the engine may call any function of one plugin from several threads at once, each
 * call with its own arguments; a plugin keeps no mutable global state or guards it itself. Host
 * functions may be called from any thread during a plugin call, and never after it returns.
 *
 * Compatibility: `abi_version` must equal MG_PLUGIN_ABI_VERSION. Functions are only ever appended to
 * the tables; `struct_size` tells which ones a table holds, so an older plugin keeps loading. Test
 * for a member with MG_TABLE_HAS before using it. Every function of a version-1 table is required
 * (non-NULL); a plugin that cannot discover or describe a recipe returns an error from that call.
 */
#ifndef MIRRORGRAPH_PLUGIN_H_
#define MIRRORGRAPH_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MG_PLUGIN_ABI_VERSION 1u
#define MG_PLUGIN_ENTRY_SYMBOL "mirrorgraph_plugin_v1"

#if defined(_WIN32)
#define MG_PLUGIN_EXPORT __declspec(dllexport)
#else
#define MG_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* True when the table `t` (a pointer to mg_host or mg_plugin) is large enough to hold `member`. */
#define MG_TABLE_HAS(t, type, member) \
  ((t)->struct_size >= offsetof(type, member) + sizeof(((const type*)0)->member))

/* Log levels for mg_host.log. */
enum { MG_LOG_DEBUG = 0, MG_LOG_INFO = 1, MG_LOG_WARN = 2, MG_LOG_ERROR = 3 };

/* Services the engine offers to a plugin during a call. `ctx` is opaque and must be passed back. */
typedef struct mg_host {
  uint32_t abi_version; /* MG_PLUGIN_ABI_VERSION */
  uint32_t struct_size; /* sizeof(mg_host) of the engine that built it */
  void* ctx;

  /* Writes one line to the calling task's log. */
  void (*log)(void* ctx, int level, const char* msg, size_t msg_len);

  /* An HTTP request through the engine's client (retries, auth, per-host pools, test base URLs).
   * Request JSON: {"method":"GET"|"HEAD","url":"...","headers":{"k":"v"},"follow_redirects":true}.
   * Response JSON: {"status":200,"headers":{"lower-case-name":"v"},"body":"...","url":"final url"}.
   * A transport failure (no answer at all) returns non-zero; any HTTP status is a success. */
  int (*http)(void* ctx, const char* req, size_t req_len, char** resp, size_t* resp_len, char** errptr);

  /* Runs one of the engine's built-in upstream sources (for example {"type":"git-tags","url":...}).
   * Response JSON: {"candidates":[{"version":"1.2.3","tag":"v1.2.3","commit":"<sha>"}]}. */
  int (*discover_source)(void* ctx, const char* source, size_t source_len, char** out, size_t* out_len,
                         char** errptr);

  /* Releases a string the host returned. */
  void (*free_string)(char* s);
} mg_host;

/* The table a plugin exports. All function pointers may be called concurrently (see above). */
typedef struct mg_plugin {
  uint32_t abi_version; /* MG_PLUGIN_ABI_VERSION */
  uint32_t struct_size; /* sizeof(mg_plugin) the plugin was built with */
  const char* name;     /* e.g. "generic"; [a-z0-9-]+ */
  const char* version;  /* the plugin's own version; part of every task key it influences */

  /* Checks one app's config table and describes the app.
   * Input: {"app":"name","config":{...the app's TOML table as JSON...},"defaults":{...}}.
   * Output: {"errors":[{"path":"source.url","message":"..."}],
   *          "images":[{"name":"hello","depends_on":[]}],
   *          "source":{...normalised source, shown by plan and hashed into discover's key...},
   *          "window":"newest"|"published" (optional: the app's default version window when its
   *          table and [defaults] set none; absent: "newest"; docs/versions.md)}.
   * Config problems are reported in "errors" (the call still returns 0); non-zero means the plugin
   * itself failed. */
  int (*configure)(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len,
                   char** errptr);

  /* Lists upstream versions of one app.
   * Input: {"app":"name","config":{...},"source":{...from configure...},"max_versions":10,
   *         "select":"newest"|"latest","window":"newest"|"published"} (how many versions the
   *         engine will keep, and which: a plugin with costly per-version checks may stop once
   *         that many passed, newest first — most recently published first for "published").
   * Output: {"candidates":[{"version":"1.2.3","tag":"v1.2.3","commit":"<sha or empty>",
   *                         "published":"<RFC 3339 date-time; optional, read by the published window>"}],
   *          "excluded":[{"version":"1.2.4","reason":"arm64 binary missing"}]}.
   * The engine orders, deduplicates and trims the candidates (docs/versions.md). */
  int (*discover)(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len,
                  char** errptr);

  /* Describes how one image of one version is built for one platform.
   * Input: {"app":"...","image":"...","version":"...","tag":"...","platform":"linux/arm64",
   *         "config":{...},"registry":"host","namespace":"ns"}.
   * Output: {"source":{...},"context":"dir","dockerfile":"path","build_args":{...},"edits":[...],
   *          "depends_on_images":[...]}. */
  int (*recipe)(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len,
                char** errptr);

  /* Releases a string the plugin returned (out or *errptr). */
  void (*free_string)(char* s);
} mg_plugin;

/* The one symbol a plugin exports. Returns a table with static storage duration; never NULL. */
typedef const mg_plugin* (*mg_plugin_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MIRRORGRAPH_PLUGIN_H_ */
