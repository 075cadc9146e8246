/* fuzz_parser: libFuzzer entry over parser_parse(). Any byte sequence must give a
 * message or a reason, never a crash, a hang or a leak; every string it returns must
 * be valid UTF-8, the body must hold no control character but tab and newline, and no
 * attachment name may start with a dot. Built and run by parser/fuzz_run.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_utf8(const char *s)
{
    if (s && !g_utf8_validate(s, -1, NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialised;
    if (!initialised) {
        parser_init();
        initialised = true;
    }
    const struct parser_options opts = { .loop_header = "X-Caselog-Loop", .ref_prefix = "INC", .ref_digits = 7 };
    const char *why = NULL;
    struct parsed_message *m = parser_parse((const char *)data, size, &opts, &why);
    if (!m) {
        if (!why)
            abort();
        return 0;
    }
    check_utf8(m->subject);
    check_utf8(m->body_text);
    check_utf8(m->message_id);
    check_utf8(m->case_ref);
    if (m->from) {
        check_utf8(m->from->name);
        check_utf8(m->from->address);
    }
    for (const char *p = m->body_text; *p; p++)
        if (((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
            abort();
    for (guint i = 0; i < m->attachments->len; i++) {
        const char *name = ((struct attachment_info *)g_ptr_array_index(m->attachments, i))->filename;
        check_utf8(name);
        if (name && (name[0] == '.' || name[0] == '\0'))
            abort();
    }
    for (guint i = 0; i < m->defects->len; i++)
        check_utf8(g_ptr_array_index(m->defects, i));
    parsed_message_free(&m);
    return 0;
}
