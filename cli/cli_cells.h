/* cli_cells: text measured as a terminal shows it, in display cells: a wide (East Asian)
 * character takes two, a combining mark or other zero-width character none, anything
 * else one. Tables are laid out in cells, never bytes or characters. Text is expected
 * to have been through cli_safe_text() (no control characters). */
#ifndef CASELOG_CLI_CELLS_H
#define CASELOG_CLI_CELLS_H

#include <glib.h>

/* Cells of one character. */
int cli_char_cells(gunichar c);
/* Cells of a UTF-8 string (NULL: 0). */
int cli_cells(const char *text);
/* text cut to at most cells display cells, ending in "…" when it was cut (combining
 * marks stay with their letter), then padded with spaces to exactly cells. NULL is "".
 * Caller g_free()s. */
char *cli_cells_fit(const char *text, int cells);
/* text padded with spaces to at least cells display cells, never cut. NULL is "".
 * Caller g_free()s. */
char *cli_cells_pad(const char *text, int cells);

#endif
