/* The plugin ABI exercised from C alone: dlopen a plugin (argv[1], the built generic plugin), check
 * its table, call it with a host table implemented here, and release every string it returns with
 * its own free_string. Exit status 0 on success; each failed check prints one line. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mirrorgraph/plugin.h"

static int failures = 0;

#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                    \
    }                                                                \
  } while (0)

/* Host state: counts calls so the test can tell the plugin used the host. */
typedef struct host_state {
  int log_calls;
  int discover_calls;
  int strings_alive; /* host strings handed out and not yet freed */
} host_state;

static char* copy_string(const char* s, size_t* len) {
  size_t n = strlen(s);
  char* p = malloc(n + 1);
  if (p == NULL) return NULL;
  memcpy(p, s, n + 1);
  if (len != NULL) *len = n;
  return p;
}

static host_state* global_state = NULL; /* for host_free, which gets no ctx */

static void host_log(void* ctx, int level, const char* msg, size_t msg_len) {
  host_state* st = ctx;
  st->log_calls++;
  fprintf(stderr, "plugin log [%d]: %.*s\n", level, (int)msg_len, msg);
}

static int host_http(void* ctx, const char* req, size_t req_len, char** resp, size_t* resp_len, char** errptr) {
  (void)ctx, (void)req, (void)req_len, (void)resp, (void)resp_len;
  global_state->strings_alive++;
  *errptr = copy_string("no network in the C ABI test", NULL);
  return 1;
}

static int host_discover_source(void* ctx, const char* source, size_t source_len, char** out, size_t* out_len,
                                char** errptr) {
  host_state* st = ctx;
  (void)errptr;
  st->discover_calls++;
  if (memmem(source, source_len, "git-tags", 8) == NULL) {
    *errptr = copy_string("unexpected source type", NULL);
    st->strings_alive++;
    return 1;
  }
  *out = copy_string("{\"candidates\":[{\"version\":\"1.2.3\",\"tag\":\"v1.2.3\",\"commit\":\"abc\"}]}", out_len);
  st->strings_alive++;
  return 0;
}

static void host_free(char* s) {
  if (s != NULL) global_state->strings_alive--;
  free(s);
}

typedef int (*call_fn)(const mg_host*, const char*, size_t, char**, size_t*, char**);

/* Calls fn with `in`; returns its rc and stores the output (a malloc'ed copy) in *result. */
static int call(const mg_plugin* p, call_fn fn, const mg_host* host, const char* in, char** result) {
  char* out = NULL;
  size_t out_len = 0;
  char* err = NULL;
  int rc = fn(host, in, strlen(in), &out, &out_len, &err);
  *result = NULL;
  if (rc == 0) {
    CHECK(out != NULL);
    CHECK(err == NULL);
    if (out != NULL) {
      *result = malloc(out_len + 1);
      memcpy(*result, out, out_len);
      (*result)[out_len] = '\0';
    }
  } else {
    CHECK(err != NULL);
    if (err != NULL) *result = copy_string(err, NULL);
  }
  if (out != NULL) p->free_string(out);
  if (err != NULL) p->free_string(err);
  return rc;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s path/to/mirrorgraph-generic.so\n", argv[0]);
    return 2;
  }
  void* handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  void* sym = dlsym(handle, MG_PLUGIN_ENTRY_SYMBOL);
  if (sym == NULL) {
    fprintf(stderr, "dlsym: %s\n", dlerror());
    return 1;
  }
  mg_plugin_entry_fn entry;
  memcpy(&entry, &sym, sizeof(entry)); /* object pointer -> function pointer, the POSIX way */
  const mg_plugin* p = entry();
  CHECK(p != NULL);
  if (p == NULL) return 1;
  CHECK(p == entry()); /* static table */
  CHECK(p->abi_version == MG_PLUGIN_ABI_VERSION);
  CHECK(p->struct_size >= sizeof(mg_plugin));
  CHECK(MG_TABLE_HAS(p, mg_plugin, free_string));
  CHECK(p->name != NULL && strcmp(p->name, "generic") == 0);
  CHECK(p->version != NULL && p->version[0] != '\0');
  CHECK(p->configure != NULL && p->discover != NULL && p->recipe != NULL && p->free_string != NULL);

  host_state st = {0, 0, 0};
  global_state = &st;
  mg_host host;
  memset(&host, 0, sizeof(host));
  host.abi_version = MG_PLUGIN_ABI_VERSION;
  host.struct_size = sizeof(mg_host);
  host.ctx = &st;
  host.log = host_log;
  host.http = host_http;
  host.discover_source = host_discover_source;
  host.free_string = host_free;

  char* result = NULL;
  int rc = call(p, p->configure, &host,
                "{\"app\":\"hello\",\"config\":{\"plugin\":\"generic\",\"source\":{\"type\":\"git-tags\","
                "\"url\":\"https://example.invalid/hello.git\"}},\"defaults\":{}}",
                &result);
  CHECK(rc == 0);
  CHECK(result != NULL && strstr(result, "\"errors\":[]") != NULL);
  CHECK(result != NULL && strstr(result, "\"name\":\"hello\"") != NULL);
  CHECK(result != NULL && strstr(result, "\"tag_pattern\"") != NULL);
  free(result);

  /* A config problem is a value in "errors", not a failed call. */
  rc = call(p, p->configure, &host, "{\"app\":\"hello\",\"config\":{\"sorce\":{}}}", &result);
  CHECK(rc == 0);
  CHECK(result != NULL && strstr(result, "did you mean 'source'") != NULL);
  free(result);

  /* discover goes through the host's discover_source and returns its candidates. */
  rc = call(p, p->discover, &host,
            "{\"app\":\"hello\",\"config\":{},\"source\":{\"type\":\"git-tags\",\"url\":\"u\","
            "\"tag_pattern\":\"^v(.*)$\"}}",
            &result);
  CHECK(rc == 0);
  CHECK(st.discover_calls == 1);
  CHECK(result != NULL && strstr(result, "\"version\":\"1.2.3\"") != NULL);
  free(result);

  /* A failed call returns non-zero with a message, released by the plugin's free_string. */
  rc = call(p, p->recipe, &host, "this is not json", &result);
  CHECK(rc != 0);
  CHECK(result != NULL && strlen(result) > 0);
  free(result);

  CHECK(st.strings_alive == 0); /* the plugin freed every host string */
  /* Keep the library loaded until exit: the engine never unloads a plugin mid-run either. */
  if (failures == 0) printf("c_abi: plugin %s %s OK\n", p->name, p->version);
  return failures == 0 ? 0 : 1;
}
