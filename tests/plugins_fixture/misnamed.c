/* Test plugin: the file is mirrorgraph-misnamed.so but the table says "other-name". */
#include <stdlib.h>

#include "mirrorgraph/plugin.h"

static int fail(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len, char** errptr) {
  (void)host, (void)in, (void)in_len, (void)out, (void)out_len, (void)errptr;
  return 1;
}

static void free_string(char* s) { free(s); }

static const mg_plugin table = {MG_PLUGIN_ABI_VERSION, sizeof(mg_plugin), "other-name", "1.0.0",
                                fail, fail, fail, free_string};

MG_PLUGIN_EXPORT const mg_plugin* mirrorgraph_plugin_v1(void) { return &table; }
