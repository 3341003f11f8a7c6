/* Test plugin (plain C): returns strings that are not NUL-terminated, placed at the very end of a
 * readable page followed by an unreadable one, so reading one byte past them faults.
 * configure: valid JSON with the right *out_len; discover: the same text with *out_len left 0;
 * recipe: fails with an error message of 4 KiB + 100 bytes that is NUL-terminated (the bound). */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mirrorgraph/plugin.h"

/* `len` bytes of `s` (no NUL) ending exactly at a page boundary followed by a PROT_NONE page. */
static char* at_page_end(const char* s, size_t len) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  char* base = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return NULL;
  if (mprotect(base + page, page, PROT_NONE) != 0) {
    munmap(base, 2 * page);
    return NULL;
  }
  memset(base, 'x', page);
  memcpy(base + page - len, s, len);
  return base + page - len;
}

static const char kJson[] = "{\"candidates\":[]}";

static int configure(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len,
                     char** errptr) {
  (void)host, (void)in, (void)in_len, (void)errptr;
  *out = at_page_end(kJson, sizeof kJson - 1);
  *out_len = sizeof kJson - 1;
  return *out == NULL;
}

static int discover(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len,
                    char** errptr) {
  (void)host, (void)in, (void)in_len, (void)errptr;
  *out = at_page_end(kJson, sizeof kJson - 1);
  *out_len = 0;
  return *out == NULL;
}

static int recipe(const mg_host* host, const char* in, size_t in_len, char** out, size_t* out_len,
                  char** errptr) {
  (void)host, (void)in, (void)in_len, (void)out, (void)out_len;
  char* m = malloc(4096 + 101);
  if (m != NULL) {
    memset(m, 'e', 4096 + 100);
    m[4096 + 100] = '\0';
  }
  *errptr = m;
  return 1;
}

static void free_string(char* s) {
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  if (s == NULL) return;
  /* Page-end strings are in their own mapping; the error message is from malloc. */
  if (((size_t)(s + sizeof kJson - 1) & (page - 1)) == 0 && memcmp(s, kJson, sizeof kJson - 1) == 0) {
    munmap((char*)((size_t)s & ~(page - 1)), 2 * page);
  } else {
    free(s);
  }
}

static const mg_plugin table = {MG_PLUGIN_ABI_VERSION, sizeof(mg_plugin), "unterminated", "0.1.0",
                                configure, discover, recipe, free_string};

MG_PLUGIN_EXPORT const mg_plugin* mirrorgraph_plugin_v1(void) { return &table; }
