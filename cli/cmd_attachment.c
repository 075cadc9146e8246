/* cmd_attachment: `caselog attachment REF N [-o FILE]`: attachment N of a case (as
 * numbered by `caselog show`), decoded from the stored raw message and checked against
 * the SHA-256 recorded at logging. Without -o it is saved under its own name in the
 * current directory (never over an existing file); -o - writes it to standard output. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "intake.h"
#include "sha256.h"
#include "message.h"
#include "store_desk.h"

/* Write bytes to path ("-": stdout), never replacing a file unless forced by -o. */
static bool attachment_write(const char *path, bool exclusive, GBytes *bytes)
{
    gsize len = 0;
    const char *data = g_bytes_get_data(bytes, &len);
    if (strcmp(path, "-") == 0)
        return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0;
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

/* Decode attachment a from its message; checked against the stored SHA-256. */
static GBytes *attachment_bytes(const struct config *cfg, struct store *st, const struct desk_attachment *a)
{
    GError *error = NULL;
    GBytes *raw = store_message_raw(st, a->message_row, &error);
    if (!raw) {
        cli_fprintf(stderr, "caselog attachment: %s\n", error->message);
        g_error_free(error);
        return NULL;
    }
    struct parser_options opts = intake_parser_options(cfg);
    opts.keep_attachment = a->part_ordinal;
    gsize len = 0;
    const char *data = g_bytes_get_data(raw, &len);
    const char *why = NULL;
    parser_init();
    struct parsed_message *m = parser_parse(data, len, &opts, &why);
    GBytes *out = m && m->kept_attachment ? g_bytes_ref(m->kept_attachment) : NULL;
    parsed_message_free(&m);
    parser_shutdown();
    g_bytes_unref(raw);
    if (out) {
        gsize n = 0;
        const void *bytes = g_bytes_get_data(out, &n);
        char sum[SHA256_HEX_SIZE];
        sha256_hex(bytes, n, sum);
        bool same = strcmp(sum, a->sha256) == 0;
        if (same)
            return out;
        g_bytes_unref(out);
    }
    cli_fprintf(stderr, "caselog attachment: the stored message no longer yields attachment %d as logged\n", a->ordinal);
    return NULL;
}

/* A safe file name for a in the current directory: no path separators (a forwarded
 * message is named after its subject, which may hold a slash), .eml for a message. */
static char *attachment_file_name(const struct desk_attachment *a)
{
    char *name = g_strdup(a->name && *a->name && strcmp(a->name, ".") && strcmp(a->name, "..") ? a->name : "attachment");
    g_strdelimit(name, "/\\", '-');
    if (g_ascii_strcasecmp(a->content_type, "message/rfc822") == 0 && !g_str_has_suffix(name, ".eml")) {
        char *with = g_strconcat(name, ".eml", NULL);
        g_free(name);
        name = with;
    }
    return name;
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
    } else if (n > (long)attachments->len) {
        cli_fprintf(stderr, "caselog attachment: %s has %u attachments\n", argv[optind], attachments->len);
    } else {
        const struct desk_attachment *a = g_ptr_array_index(attachments, n - 1);
        GBytes *bytes = attachment_bytes(s.cfg, s.st, a);
        char *own = attachment_file_name(a);
        if (bytes && attachment_write(output ? output : own, output == NULL, bytes)) {
            status = CLI_OK;
            if (!output || strcmp(output, "-"))
                cli_fprintf(stderr, "saved %s (%" G_GINT64_FORMAT " bytes)\n", output ? output : own, a->size);
        }
        g_free(own);
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
