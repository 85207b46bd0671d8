#ifndef CGRAPHVIZ_H
#define CGRAPHVIZ_H
#include <stddef.h>

/// Lays out a DOT graph with `engine` ("dot") and renders it to `format` ("png", "svg").
/// On success returns 0 and a malloc'd buffer in *out (free with cgv_free). On failure returns -1
/// with Graphviz's own messages in `err`. Graphviz keeps global state: callers must serialise calls.
int cgv_render(const char *dot, const char *engine, const char *format,
               char **out, size_t *out_length, char *err, size_t err_length);

void cgv_free(char *data);

#endif
