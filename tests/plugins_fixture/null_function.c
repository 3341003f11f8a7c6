/* Test plugin: a table whose recipe function is NULL. */
#include <stdlib.h>

#include "mirrorgraph/plugin.h"

static int fail(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len, char** errptr) {
  (void)host, (void)in, (void)in_len, (void)out, (void)out_len, (void)errptr;
  return 1;
}

static void free_string(char* s) { free(s); }

static const mg_plugin table = {MG_PLUGIN_ABI_VERSION, sizeof(mg_plugin), "null-function", "1.0.0",
                                fail, fail, NULL, free_string};

MG_PLUGIN_EXPORT const mg_plugin* mirrorgraph_plugin_v1(void) { return &table; }
