/* Test plugin (plain C): configure fails with an error message; discover fails without one;
 * recipe returns valid JSON. */
#include <stdlib.h>
#include <string.h>

#include "mirrorgraph/plugin.h"

static char* copy(const char* s) {
  size_t n = strlen(s);
  char* p = malloc(n + 1);
  if (p != NULL) memcpy(p, s, n + 1);
  return p;
}

static int configure(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len,
                     char** errptr) {
  (void)host, (void)in, (void)in_len, (void)out, (void)out_len;
  if (errptr != NULL) *errptr = copy("the frobnicator is not configured");
  return 1;
}

static int discover(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len,
                    char** errptr) {
  (void)host, (void)in, (void)in_len, (void)out, (void)out_len, (void)errptr;
  return 7;
}

static int recipe(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len,
                  char** errptr) {
  (void)host, (void)in, (void)in_len, (void)errptr;
  *out = copy("{\"context\":\".\"}");
  *out_len = strlen(*out);
  return 0;
}

static void free_string(char* s) { free(s); }

static const mg_plugin table = {MG_PLUGIN_ABI_VERSION, sizeof(mg_plugin), "configure-error", "0.1.0",
                                configure, discover, recipe, free_string};

MG_PLUGIN_EXPORT const mg_plugin* mirrorgraph_plugin_v1(void) { return &table; }
