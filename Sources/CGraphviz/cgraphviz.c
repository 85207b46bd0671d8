#include "cgraphviz.h"
#include <graphviz/gvc.h>
#include <graphviz/cgraph.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Graphviz reports problems through a process-wide callback; collect them here. */
static char messages[2048];
static size_t messages_length;

static int collect(char *message) {
    size_t n = strlen(message);
    if (messages_length + n >= sizeof(messages)) n = sizeof(messages) - messages_length - 1;
    memcpy(messages + messages_length, message, n);
    messages_length += n;
    messages[messages_length] = 0;
    return 0;
}

static void fail(char *err, size_t err_length, const char *what) {
    size_t end = messages_length;
    while (end > 0 && (messages[end - 1] == '\n' || messages[end - 1] == ' ')) end--;
    messages[end] = 0;
    if (end > 0) snprintf(err, err_length, "%s: %s", what, messages);
    else snprintf(err, err_length, "%s", what);
}

int cgv_render(const char *dot, const char *engine, const char *format,
               char **out, size_t *out_length, char *err, size_t err_length) {
    *out = NULL;
    *out_length = 0;
    messages[0] = 0;
    messages_length = 0;
    agseterr(AGWARN);
    agseterrf(collect);
    GVC_t *gvc = gvContext();
    if (!gvc) { fail(err, err_length, "cannot create a Graphviz context"); return -1; }
    graph_t *graph = agmemread(dot);
    if (!graph) {
        fail(err, err_length, "Graphviz could not parse the DOT text");
        gvFreeContext(gvc);
        return -1;
    }
    if (gvLayout(gvc, graph, engine) != 0) {
        fail(err, err_length, "Graphviz layout failed");
        agclose(graph);
        gvFreeContext(gvc);
        return -1;
    }
    char *data = NULL;
    unsigned int length = 0;
    int status = gvRenderData(gvc, graph, format, &data, &length);
    gvFreeLayout(gvc, graph);
    agclose(graph);
    gvFreeContext(gvc);
    if (status != 0 || !data) {
        fail(err, err_length, "Graphviz could not render");
        if (data) gvFreeRenderData(data);
        return -1;
    }
    *out = malloc(length ? length : 1);
    memcpy(*out, data, length);
    *out_length = length;
    gvFreeRenderData(data);
    return 0;
}

void cgv_free(char *data) { free(data); }
