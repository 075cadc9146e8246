/* cmd_attachment: `caselog attachment REF N [-o FILE]`: attachment N of a case (as
 * numbered by `caselog show`), decoded from the stored raw message and checked against
 * the SHA-256 recorded at logging. Past the listed ones, N goes on through the parts a
 * message's logging left unlisted (too many parts, nested too deep), read again from
 * the stored message with the limits raised. Without -o it is saved under its own name in the
 * current directory (never over an existing file); -o - writes it to standard output. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "intake.h"
#include "message.h"
#include "sha256.h"
#include "store_desk.h"

/* Write bytes to path ("-": stdout), never replacing a file unless forced by -o. */
static bool attachment_write(const char *path, bool exclusive, GBytes *bytes)
{
    gsize len = 0;
    const char *data = g_bytes_get_data(bytes, &len);
    if (strcmp(path, "-") == 0)
        return cli_write_bytes(stdout, data, len);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | (exclusive ? O_EXCL : 0), 0644);
    if (fd < 0) {
        cli_fprintf(stderr, "caselog attachment: %s: %s\n", path, g_strerror(errno));
        return false;
    }
    bool ok = true;
    for (gsize done = 0; ok && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        done += n > 0 ? (gsize)n : 0;
    }
    ok = close(fd) == 0 && ok;
    if (!ok)
        cli_fprintf(stderr, "caselog attachment: writing %s: %s\n", path, g_strerror(errno));
    return ok;
}

/* Limits for reading a message again for a part its logging left unlisted: far more
 * parts, and the parser's deepest nesting (its walk and gmime's recurse per level). */
#define ATTACHMENT_ALL_PARTS 1000000
#define ATTACHMENT_ALL_DEPTH 200

/* The message's attachments as the parser lists them with the limits raised; NULL if it
 * cannot be read. keep (1-based, or 0) is kept in *kept_out. */
static struct parsed_message *attachment_parse_all(const struct config *cfg, GBytes *raw, int keep)
{
    struct parser_options opts = intake_parser_options(cfg);
    opts.max_parts = ATTACHMENT_ALL_PARTS;
    opts.max_depth = ATTACHMENT_ALL_DEPTH;
    opts.keep_attachment = keep;
    gsize len = 0;
    const char *data = g_bytes_get_data(raw, &len);
    const char *why = NULL;
    return parser_parse(data, len, &opts, &why);
}

/* The records of a's message among listed (every listed attachment of the case), and in
 * *want_out a's place among them. Borrowed strings; g_array_unref(). */
static GArray *attachment_records(GPtrArray *listed, const struct desk_attachment *a, size_t *want_out)
{
    GArray *records = g_array_new(FALSE, FALSE, sizeof(struct attachment_record));
    for (guint i = 0; i < listed->len; i++) {
        const struct desk_attachment *l = g_ptr_array_index(listed, i);
        if (l->message_row != a->message_row)
            continue;
        if (l == a)
            *want_out = records->len;
        struct attachment_record r = { l->name, l->content_type, (uint64_t)l->size, l->sha256 };
        g_array_append_val(records, r);
    }
    return records;
}

/* Listed attachment a, decoded again from its stored message: the part with its SHA-256
 * and size wherever the parser now puts it, or, where a newer parser than logged it
 * reads that part otherwise, the one with its name and type (said on standard error). */
static GBytes *attachment_bytes(const struct config *cfg, struct store *st, GPtrArray *listed,
                                const struct desk_attachment *a)
{
    GError *error = NULL;
    GBytes *raw = store_message_raw(st, a->message_row, &error);
    if (!raw) {
        cli_fprintf(stderr, "caselog attachment: %s\n", error->message);
        g_error_free(error);
        return NULL;
    }
    size_t want = 0;
    GArray *records = attachment_records(listed, a, &want);
    bool exact = false;
    parser_init();
    struct parsed_message *all = attachment_parse_all(cfg, raw, 0);
    int ordinal = all ? parser_attachment_find(all, (struct attachment_record *)(void *)records->data, records->len,
                                               want, &exact) : 0;
    struct parsed_message *kept = ordinal ? attachment_parse_all(cfg, raw, ordinal) : NULL;
    GBytes *out = kept && kept->kept_attachment ? g_bytes_ref(kept->kept_attachment) : NULL;
    char sum[SHA256_HEX_SIZE] = "";
    if (out) {
        gsize n = 0;
        const void *bytes = g_bytes_get_data(out, &n);
        sha256_hex(bytes, n, sum);
    }
    if (out && exact && strcmp(sum, a->sha256) != 0)
        g_clear_pointer(&out, g_bytes_unref);
    if (out && !exact)
        cli_fprintf(stderr, "caselog attachment: attachment %d is read by a newer parser than logged it: %" G_GSIZE_FORMAT
                            " bytes, SHA-256 %.16s…; logged as %" G_GINT64_FORMAT " bytes, %.16s…\n",
                    a->ordinal, g_bytes_get_size(out), sum, a->size, a->sha256);
    if (!out)
        cli_fprintf(stderr, "caselog attachment: the stored message no longer yields attachment %d as logged\n",
                    a->ordinal);
    parsed_message_free(&kept);
    parsed_message_free(&all);
    parser_shutdown();
    g_array_unref(records);
    g_bytes_unref(raw);
    return out;
}

/* In the full list of m's attachments, the ordinal of the k-th one that is not among
 * listed (the message's listed attachments, in order, matched by SHA-256); 0 if none. */
static int attachment_unlisted_ordinal(const struct parsed_message *m, GPtrArray *listed, int64_t message_row,
                                       int k)
{
    guint j = 0;
    while (j < listed->len && ((struct desk_attachment *)g_ptr_array_index(listed, j))->message_row != message_row)
        j++;
    for (guint i = 0; i < m->attachments->len; i++) {
        const struct attachment_info *a = g_ptr_array_index(m->attachments, i);
        const struct desk_attachment *l = j < listed->len ? g_ptr_array_index(listed, j) : NULL;
        if (l && l->message_row == message_row && strcmp(l->sha256, a->sha256) == 0) {
            j++;
            continue;
        }
        if (--k == 0)
            return (int)i + 1;
    }
    return 0;
}

/* Part k of the parts message_row's parse left unlisted, read from the stored raw
 * message with the limits raised; *a_out describes it (the caller frees its strings). */
static GBytes *attachment_unlisted(const struct config *cfg, struct store *st, GPtrArray *listed,
                                   int64_t message_row, int k, struct desk_attachment *a_out)
{
    GError *error = NULL;
    GBytes *raw = store_message_raw(st, message_row, &error);
    if (!raw) {
        cli_fprintf(stderr, "caselog attachment: %s\n", error->message);
        g_error_free(error);
        return NULL;
    }
    parser_init();
    struct parsed_message *all = attachment_parse_all(cfg, raw, 0);
    int ordinal = all ? attachment_unlisted_ordinal(all, listed, message_row, k) : 0;
    struct parsed_message *kept = ordinal ? attachment_parse_all(cfg, raw, ordinal) : NULL;
    GBytes *out = kept && kept->kept_attachment ? g_bytes_ref(kept->kept_attachment) : NULL;
    if (out) {
        const struct attachment_info *a = g_ptr_array_index(kept->attachments, ordinal - 1);
        a_out->name = g_strdup(a->filename);
        a_out->content_type = g_strdup(a->content_type ? a->content_type : "application/octet-stream");
        a_out->size = (int64_t)a->size;
    } else {
        cli_fprintf(stderr, "caselog attachment: the part lies deeper than %d levels or the message cannot be"
                            " read whole; `caselog show` says what was left out\n", ATTACHMENT_ALL_DEPTH);
    }
    parsed_message_free(&kept);
    parsed_message_free(&all);
    parser_shutdown();
    g_bytes_unref(raw);
    return out;
}

/* Attachment n of the case: a listed one (checked against its SHA-256), or past them
 * the parts its messages' parses left unlisted, numbered on. *a_out describes it. */
static GBytes *attachment_nth(const struct cli_session *s, const char *ref, int64_t case_id, GPtrArray *listed,
                              long n, struct desk_attachment *a_out)
{
    if (n <= (long)listed->len) {
        const struct desk_attachment *a = g_ptr_array_index(listed, n - 1);
        *a_out = (struct desk_attachment){ .name = g_strdup(a->name), .content_type = g_strdup(a->content_type),
                                           .size = a->size };
        return attachment_bytes(s->cfg, s->st, listed, a);
    }
    GError *error = NULL;
    GPtrArray *unlisted = store_desk_unlisted(s->st, case_id, &error);
    if (!unlisted) {
        cli_fprintf(stderr, "caselog attachment: %s\n", error->message);
        g_error_free(error);
        return NULL;
    }
    long k = n - (long)listed->len, total = (long)listed->len;
    GBytes *out = NULL;
    for (guint i = 0; i < unlisted->len && !out; i++) {
        const struct desk_unlisted *u = g_ptr_array_index(unlisted, i);
        total += u->not_listed;
        if (k <= u->not_listed)
            out = attachment_unlisted(s->cfg, s->st, listed, u->message_row, (int)k, a_out);
        else
            k -= u->not_listed;
    }
    if (!out && n > total)
        cli_fprintf(stderr, "caselog attachment: %s has %ld attachments\n", ref, total);
    g_ptr_array_unref(unlisted);
    return out;
}

int cmd_attachment(const struct cli_context *ctx, int argc, char **argv)
{
    static const struct option longopts[] = { { "output", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 } };
    const char *output = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        if (c != 'o')
            goto usage;
        output = optarg;
    }
    char *end = NULL;
    long n = optind + 2 == argc ? strtol(argv[optind + 1], &end, 10) : 0;
    if (n < 1 || *end)
        goto usage;
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    GPtrArray *thread = NULL, *attachments = NULL;
    GError *error = NULL;
    struct desk_case *dc = store_desk_show(s.st, argv[optind], &thread, &attachments, &error);
    status = CLI_FAILED;
    if (!dc) {
        cli_fprintf(stderr, "caselog attachment: %s\n", error ? error->message : "no such case");
        g_clear_error(&error);
    } else {
        struct desk_attachment a = { 0 };
        GBytes *bytes = attachment_nth(&s, argv[optind], dc->id, attachments, n, &a);
        char *own = bytes ? parser_attachment_file_name(a.name, a.content_type) : NULL;
        if (bytes && attachment_write(output ? output : own, output == NULL, bytes)) {
            status = CLI_OK;
            if (!output || strcmp(output, "-"))
                cli_fprintf(stderr, "saved %s (%" G_GSIZE_FORMAT " bytes%s)\n", output ? output : own,
                            g_bytes_get_size(bytes),
                            n > (long)attachments->len ? ", not listed when logged: no SHA-256 to check" : "");
        }
        g_free(own);
        g_free(a.name);
        g_free(a.content_type);
        if (bytes)
            g_bytes_unref(bytes);
    }
    if (dc) {
        desk_case_free(dc);
        g_ptr_array_unref(thread);
        g_ptr_array_unref(attachments);
    }
    cli_session_close(&s);
    return status;
usage:
    cli_fprintf(stderr, "usage: caselog attachment REF N [-o FILE|-]\n");
    return CLI_USAGE;
}
