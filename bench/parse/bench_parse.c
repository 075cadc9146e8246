/* bench_parse: our parser's throughput against bare gmime's on the same messages, in
 * the same run (issue 3: ours at least half of gmime's). Loads every .eml of the
 * directories given into memory, then for 7 rounds times (a) gmime constructing each
 * message from a memory stream, (b) parser_parse() of each (gmime plus decoding,
 * text, attachments with SHA-256, classification). Prints the medians. */
#include <glib.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>

#include "message.h"

#define ROUNDS 7

struct sample {
    char *data;
    gsize len;
};

static void load_dir(const char *dir, GArray *samples, gsize *bytes)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d) {
        fprintf(stderr, "bench_parse: cannot open %s\n", dir);
        exit(2);
    }
    const char *name;
    while ((name = g_dir_read_name(d))) {
        if (!g_str_has_suffix(name, ".eml"))
            continue;
        char *path = g_build_filename(dir, name, NULL);
        struct sample s;
        if (g_file_get_contents(path, &s.data, &s.len, NULL)) {
            g_array_append_val(samples, s);
            *bytes += s.len;
        }
        g_free(path);
    }
    g_dir_close(d);
}

static double bare_gmime(const GArray *samples)
{
    gint64 start = g_get_monotonic_time();
    for (guint i = 0; i < samples->len; i++) {
        const struct sample *s = &g_array_index(samples, struct sample, i);
        GMimeStream *stream = g_mime_stream_mem_new_with_buffer(s->data, s->len);
        GMimeParser *parser = g_mime_parser_new_with_stream(stream);
        GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);
        if (m)
            g_object_unref(m);
        g_object_unref(parser);
        g_object_unref(stream);
    }
    return (g_get_monotonic_time() - start) / 1e6;
}

static double ours(const GArray *samples, unsigned *parsed)
{
    struct parser_options opts = { .loop_header = "X-Caselog-Loop", .ref_prefix = "INC", .ref_digits = 7 };
    *parsed = 0;
    gint64 start = g_get_monotonic_time();
    for (guint i = 0; i < samples->len; i++) {
        const struct sample *s = &g_array_index(samples, struct sample, i);
        const char *why = NULL;
        struct parsed_message *m = parser_parse(s->data, s->len, &opts, &why);
        *parsed += m != NULL;
        parsed_message_free(&m);
    }
    return (g_get_monotonic_time() - start) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_parse DIR...\n");
        return 2;
    }
    parser_init();
    GArray *samples = g_array_new(FALSE, FALSE, sizeof(struct sample));
    gsize bytes = 0;
    for (int i = 1; i < argc; i++)
        load_dir(argv[i], samples, &bytes);
    double bare[ROUNDS], mine[ROUNDS];
    unsigned parsed = 0;
    for (int r = 0; r < ROUNDS; r++) { /* interleaved, so drift hits both alike */
        bare[r] = bare_gmime(samples);
        mine[r] = ours(samples, &parsed);
    }
    qsort(bare, ROUNDS, sizeof bare[0], cmp_double);
    qsort(mine, ROUNDS, sizeof mine[0], cmp_double);
    double b = bare[ROUNDS / 2], m = mine[ROUNDS / 2], mb = bytes / 1048576.0;
    printf("bench_parse: %u messages, %.1f MB, %d rounds, medians\n", samples->len, mb, ROUNDS);
    printf("bench_parse: bare gmime   %8.0f msg/s %7.1f MB/s\n", samples->len / b, mb / b);
    printf("bench_parse: caselog      %8.0f msg/s %7.1f MB/s (%u parsed)\n", samples->len / m, mb / m, parsed);
    printf("bench_parse: ours/bare    %.2f (target >= 0.50)\n", b / m);
    for (guint i = 0; i < samples->len; i++)
        g_free(g_array_index(samples, struct sample, i).data);
    g_array_free(samples, TRUE);
    parser_shutdown();
    return 0;
}
