/* Test plugin: a shared library without the entry symbol. */
#include "mirrorgraph/plugin.h"

MG_PLUGIN_EXPORT int mirrorgraph_plugin_v0(void) { return 0; }
