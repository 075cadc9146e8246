#!/usr/bin/env bash
# desk_reading: reading the desk as staff do (issue 17, part 3). `caselog list` in a
# real pseudo-terminal 80 columns wide (script + stty): every line at most 80 display
# cells, each subject visible, with Welsh and Chinese subjects and a hostile one full of
# ESC and BEL (no control character reaches the terminal), the SLA state in colour
# unless NO_COLOR, the pager on a terminal only. Then the filters (--state refusing
# bogus, --school by name or URN, --mine, --unassigned, --search ranked, --since,
# --until, --sort, --limit/--offset) and `show` (the real recipient, events in words,
# the confidential mark, defects, --json).
. "$(dirname "$0")/lib/harness.sh"
work=$(mktemp -d)
db=$(h_new_db reading)
sam=$(h_role sam) priya=$(h_role priya)
trap 'h_drop_db "$db"; h_drop_roles "$sam" "$priya"; rm -rf "$work"' EXIT
folder="reading-$$"
conf="$work/caselog.conf"
h_write_config "$conf" "$db" "$folder"
sed -i 's/^routing = (/routing = (\n  { name = "safeguarding"; subject = "(?i)safeguarding"; confidential = true; },/' "$conf"
"$CASELOGD" -c "$conf" --migrate 2>/dev/null
"$CASELOG" -c "$conf" schools import "$harness_top/packaging/demo-schools.csv" >/dev/null
"$CASELOG" -c "$conf" staff add "$sam" --name "Sam Jones" --email sam@desk.example.org --admin >/dev/null
"$CASELOG" -c "$conf" staff add "$priya" --name "Priya Shah" --email priya@desk.example.org >/dev/null
sed "s/user=postgres/user=$priya/" "$conf" > "$work/priya.conf"
now=2026-03-04T10:30:00+00:00
desk() { CASELOG_NOW=$now "$CASELOG" -c "$conf" "$@"; }

# mail_in DATE FROM SUBJECT BODY [DATE-HEADER]: the subject RFC 2047-encoded, as mailers send it.
n=0
mail_in() {
    n=$((n + 1))
    python3 - "$work/$n.eml" "$2" "$3" "$4" "${5:-$(date -R -d "$1")}" "reading-$$-$n" <<'PY'
import base64, sys
path, sender, subject, body, date, mid = sys.argv[1:7]
enc = "=?UTF-8?B?" + base64.b64encode(subject.encode()).decode() + "?="
with open(path, "wb") as f:
    f.write((f"From: {sender}\r\nTo: servicedesk@desk.example.org\r\nSubject: {enc}\r\n"
             f"Message-ID: <{mid}@school.example>\r\nDate: {date}\r\nMIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
             + body + "\r\n").encode())
PY
    "$STACK/imap_append.sh" desk "$folder" "$work/$n.eml" --date "$1" >/dev/null
}
welsh="Gliniaduron ddim yn cysylltu â'r Wi-Fi yn yr ystafell ŵ ŷ, angen help heddiw os gwelwch yn dda"
chinese="打印机在十二号教室卡纸了，请尽快派人来看看，谢谢老师们的耐心"
hostile=$'Printer \e]0;pwned\a\e[2J\e[31mred alert\a ends here'
mail_in 2026-03-03T09:00:00+00:00 "Ysgol Llanhari <swyddfa@ysgol-llanhari.cymru>" "$welsh" "Mae'r gliniaduron yn methu."
mail_in 2026-03-03T09:05:00+00:00 "Tom Hughes <t.hughes@riverside-academy.org.uk>" "$chinese" "打印机坏了。"
mail_in 2026-03-03T09:10:00+00:00 "Helen Price <h.price@oakfield-primary.sch.uk>" "$hostile" "See subject."
mail_in 2026-03-04T09:00:00+00:00 "Helen Price <h.price@oakfield-primary.sch.uk>" "Projector flickering in the hall" \
    "The projector in the hall flickers every few minutes."
mail_in 2026-03-04T09:05:00+00:00 "Tom Hughes <t.hughes@riverside-academy.org.uk>" "Sound system in Year 6" \
    "The speakers next to the projector hum whenever it is on."
mail_in 2026-03-04T10:00:00+00:00 "Office <office@st-marys-rc.sch.uk>" "Safeguarding: a concern about a pupil" \
    "Please call the DSL." 
mail_in 2026-03-04T10:05:00+00:00 "Office <office@st-marys-rc.sch.uk>" "Whiteboard pen not working" \
    "The interactive whiteboard needs calibration again." "sometime last Tuesday"
CASELOG_NOW=$now "$CASELOGD" -c "$conf" --once 2>>"$work/daemon.log" || { tail -20 "$work/daemon.log"; exit 1; }
h_check "seven cases logged" 7 "$(h_sql "$db" "SELECT count(*) FROM cases")"
ref_of() { h_sql "$db" "SELECT reference FROM cases WHERE subject LIKE '$1%' ORDER BY id LIMIT 1"; }
ref_welsh=$(ref_of Gliniaduron) ref_projector=$(ref_of Projector) ref_sound=$(ref_of Sound) ref_safe=$(ref_of Safeguarding)
ref_pen=$(ref_of Whiteboard)
desk --as "$sam" assign "$ref_welsh" "$priya" >/dev/null

# --- list in a pseudo-terminal 80 columns wide ---
in_pty() { # OUT COMMAND: run COMMAND in a pty of 80 columns, its output (the terminal's) in OUT
    script -q -e -c "stty cols 80 rows 50; $2" /dev/null > "$1" 2>&1
}
cells() { # FILE: the widest line in display cells, after removing SGR colour sequences
    python3 - "$1" <<'PY'
import re, sys, unicodedata
text = open(sys.argv[1], encoding="utf-8").read().replace("\r", "")
text = re.sub(r"\x1b\[[0-9;]*m", "", text)
def width(s):
    w = 0
    for c in s:
        if unicodedata.combining(c) or unicodedata.category(c) in ("Me", "Cf"):
            continue
        w += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return w
print(max(width(l) for l in text.split("\n")))
PY
}
controls() { # FILE: control characters other than SGR colour, newline and CR
    python3 -c 'import re,sys; t=open(sys.argv[1],encoding="utf-8").read(); t=re.sub(r"\x1b\[[0-9;]*m","",t); print(len([c for c in t if (ord(c)<32 and c not in "\r\n") or 0x7f<=ord(c)<=0x9f]))' "$1"
}
env_list="CASELOG_NOW=$now PAGER=cat"
in_pty "$work/tty.txt" "env $env_list $CASELOG -c $conf list"
h_check "80 columns: no line wider than 80 display cells" yes "$([ "$(cells "$work/tty.txt")" -le 80 ] && echo yes || echo "no ($(cells "$work/tty.txt"))")"
h_check "the Welsh subject is visible" 1 "$(grep -c "Gliniaduron ddim" "$work/tty.txt")"
h_check "the Chinese subject is visible" 1 "$(grep -c "打印机在十二号" "$work/tty.txt")"
h_check "the hostile subject is visible, its controls replaced" 1 "$(grep -c "Printer �]0;pwned" "$work/tty.txt")"
h_check "no control character reaches the terminal" 0 "$(controls "$work/tty.txt")"
h_check "cut subjects end in an ellipsis" yes "$(grep -q "…" "$work/tty.txt" && echo yes || echo no)"
h_check "the SLA state in colour on a terminal: red and green" "yes yes" \
    "$(grep -q $'\e\\[1;31mBREACHED' "$work/tty.txt" && echo yes || echo no) $(grep -q $'\e\\[32mok' "$work/tty.txt" && echo yes || echo no)"
in_pty "$work/nocolor.txt" "env $env_list NO_COLOR=1 $CASELOG -c $conf list"
h_check "NO_COLOR: not one escape" 0 "$(grep -c $'\e' "$work/nocolor.txt")"
script -q -e -c "stty cols 160 rows 50; env $env_list $CASELOG -c $conf list" /dev/null > "$work/wide.txt"
h_check "160 columns: more of the Welsh subject" 1 "$(grep -c "angen help heddiw" "$work/wide.txt")"
h_check "160 columns: the assignee's name" 1 "$(grep "$ref_welsh" "$work/wide.txt" | grep -c "Priya Shah")"
in_pty "$work/paged.txt" "env CASELOG_NOW=$now PAGER='cat > $work/pager-got' $CASELOG -c $conf list"
h_check "on a terminal the list goes through \$PAGER" 1 "$(grep -c "$ref_projector" "$work/pager-got" 2>/dev/null || echo 0)"
in_pty "$work/nopager.txt" "env CASELOG_NOW=$now PAGER=no-such-pager-$$ $CASELOG -c $conf list"
h_check "a \$PAGER that cannot run: the list still shows, and says why" "1 1" \
    "$(grep -c "$ref_projector" "$work/nopager.txt") $(grep -c "cannot run the pager \"no-such-pager-$$\"" "$work/nopager.txt")"
PAGER="cat > $work/pager-piped" desk list > "$work/piped.txt"
h_check "piped: no pager, no colour" "no 0" "$([ -e "$work/pager-piped" ] && echo yes || echo no) $(grep -c $'\e' "$work/piped.txt")"
h_check "piped: 80 columns" yes "$([ "$(cells "$work/piped.txt")" -le 80 ] && echo yes || echo no)"

# --- filters ---
count() { desk list --json "$@" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
refs() { desk list --json "$@" | python3 -c 'import json,sys; print(" ".join(c["reference"] for c in json.load(sys.stdin)))'; }
set +e
desk list --state bogus > /dev/null 2>"$work/err"; rc=$?
set -e
h_check "--state bogus: exit 2" 2 "$rc"
h_check "naming the valid states" 1 "$(grep -c 'unknown state "bogus" (valid: open, assigned, on_hold, resolved, closed)' "$work/err")"
h_check "--state open,assigned" 7 "$(count --state open,assigned)"
h_check "--state assigned" "$ref_welsh" "$(refs --state assigned)"
h_check "--state as people type it: a space after the comma, any case" 7 "$(count --state "open, Assigned")"
h_check "--queue in any case" 7 "$(count --queue ict)"
set +e
desk list --assignee priya >/dev/null 2>"$work/err"; rc=$?
set -e
h_check "--assignee naming nobody on the staff: refused, not 0 cases (exit 1)" "1 1" \
    "$rc $(grep -c 'caselog list: --assignee priya: nobody on the staff has that role name' "$work/err")"
h_check "--assignee by role" "$ref_welsh" "$(refs --assignee "$priya")"
h_check "--mine with an admin's --as is the named person's" "$ref_welsh" "$(desk --as "$priya" list --json --mine | python3 -c 'import json,sys; print(" ".join(c["reference"] for c in json.load(sys.stdin)))')"
h_check "--school by part of its name" "$ref_welsh" "$(refs --school llanhari)"
h_check "--school by URN" "$ref_welsh" "$(refs --school 'URN 100004')"
h_check "--school by the URN's number" "$ref_welsh" "$(refs --school 100004)"
set +e
desk list --school nowhere >/dev/null 2>"$work/err"; rc=$?
set -e
h_check "--school matching no school: exit 1, said" "1 1" "$rc $(grep -c 'no school' "$work/err")"
h_check "--mine (Priya)" "$ref_welsh" "$(CASELOG_NOW=$now "$CASELOG" -c "$work/priya.conf" list --json --mine | python3 -c 'import json,sys; print(" ".join(c["reference"] for c in json.load(sys.stdin)))')"
h_check "--unassigned" 6 "$(count --unassigned)"
h_check "--search finds words in bodies" "$ref_pen" "$(refs --search calibration)"
h_check "--search ranks a subject match first (stemmed: projectors)" "$ref_projector $ref_sound" "$(refs --search projectors)"
h_check "--search: a Welsh word" "$ref_welsh" "$(refs --search gliniaduron)"
h_check "--since a date (the desk's time)" 4 "$(count --since 2026-03-04)"
h_check "--until a date: all of that day" 3 "$(count --until 2026-03-03)"
h_check "--since a local time" 2 "$(count --since '2026-03-04 10:00' --until '2026-03-04 11:00')"
h_check "--sort newest" "$ref_pen" "$(refs --sort newest --limit 1)"
desk list --limit 2 > "$work/page1.txt"
h_check "--limit 2: showing 2 of 7" 1 "$(grep -c "^showing 2 of 7" "$work/page1.txt")"
h_check "--offset: the next page" 2 "$(desk list --limit 2 --offset 2 | grep -c "^INC")"
h_check "--sort rank without --search: refused" 2 "$(desk list --sort rank >/dev/null 2>&1; echo $?)"

# --- show ---
desk show "$ref_welsh" > "$work/show.txt"
requester=$(h_sql "$db" "SELECT requester FROM cases WHERE reference = '$ref_welsh'")
h_check "sent mail names its real recipient" 1 "$(grep -c "Mail to $requester" "$work/show.txt")"
h_check "not our own address" 0 "$(grep -c "Mail to servicedesk@" "$work/show.txt")"
h_check "and what it said to them, as they read it" 1 \
    "$(grep -c "^  | Thank you for contacting Test ICT Service Desk. We have logged your request for Ysgol Gymraeg Llanhari as case $ref_welsh.$" "$work/show.txt")"
h_check "events in words" 1 "$(grep -c "Sam Jones assigned the case to Priya Shah" "$work/show.txt")"
h_check "the assignee by name" 1 "$(grep -c "assignee *Priya Shah ($priya)" "$work/show.txt")"
h_check "the confidential mark" 1 "$(desk show "$ref_safe" | grep -c "^CONFIDENTIAL")"
h_check "a message's defects" 1 "$(desk show "$ref_pen" | grep -c "Defects: unparseable Date header")"
desk show "$ref_welsh" --json > "$work/show.json"
h_check "show --json: the thread's words" yes "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("yes" if any(t.get("words","").startswith("Sam Jones assigned") for t in d["thread"]) and d["reference"]==sys.argv[2] else "no")' "$work/show.json" "$ref_welsh")"
desk show "$(ref_of Printer)" --json > "$work/hostile.json"
h_check "show --json of the hostile subject is valid JSON with its text" yes "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("yes" if "pwned" in d["subject"] else "no")' "$work/hostile.json")"
# --- staff list in the same terminal: names in Welsh and Chinese, every line within 80
#     display cells, each column starting at the same cell on every line ---
sion=$(h_role sion)
trap 'h_drop_db "$db"; h_drop_roles "$sam" "$priya" "$sion"; rm -rf "$work"' EXIT
"$CASELOG" -c "$conf" staff add "$sion" --name "Siôn Ŵyn ap Llŷr 陈小明" --email "sion.wyn-ap-llyr@desk.example.org" >/dev/null
in_pty "$work/staff.txt" "env PAGER=cat $CASELOG -c $conf staff list"
h_check "staff list at 80 columns: no line wider than 80 display cells" yes \
    "$([ "$(cells "$work/staff.txt")" -le 80 ] && echo yes || echo "no ($(cells "$work/staff.txt"))")"
h_check "staff list: the e-mail column at one cell on every line" 1 "$(python3 - "$work/staff.txt" <<'PY'
import sys, unicodedata
def cells(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
starts = set()
for line in open(sys.argv[1], encoding="utf-8").read().replace("\r", "").split("\n"):
    at = line.find("@desk.example.org")
    if at > 0:
        starts.add(cells(line[:line.rfind(" ", 0, at) + 1]))
print(len(starts))
PY
)"
h_check "staff list: the Welsh and Chinese name is shown" 1 "$(grep -c "Siôn Ŵyn" "$work/staff.txt")"

# --- show of a case on a hold that stops the clock: the due time as it stands now (the
#     paused working time added, as the report and the breach check count it), not the
#     value it had when the hold began ---
desk hold "$ref_sound" --reason awaiting_customer "Which speakers?" >/dev/null
stored_due=$(h_sql "$db" "SELECT to_char(resolution_due AT TIME ZONE 'Europe/London', 'Dy FMDD Mon YYYY HH24:MI') FROM cases WHERE reference = '$ref_sound'")
h_check "the stored due time when the hold began" "Mon 9 Mar 2026 09:05" "$stored_due"
CASELOG_NOW=2026-03-04T14:30:00+00:00 "$CASELOG" -c "$conf" show "$ref_sound" > "$work/paused.txt"
h_check "show: four working hours on hold later, due four hours later" 1 \
    "$(grep -c "^  resolution due   Mon 9 Mar 2026 13:05" "$work/paused.txt")"
h_check "show: and says the clock is paused" 1 "$(grep -c "^  resolution       paused" "$work/paused.txt")"
h_check "show --json: the same due time" "2026-03-09T13:05:00+00:00 paused" \
    "$(CASELOG_NOW=2026-03-04T14:30:00+00:00 "$CASELOG" -c "$conf" show "$ref_sound" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["resolution_due"], d["resolution_status"])')"
# --- search as people type: without the accents (a UK keyboard), or with them ---
mail_in 2026-03-04T10:10:00+00:00 "Zoë Brontë <z.bronte@riverside-academy.org.uk>" "Café till broken, £500 invoice for Zoë" \
    "The café till in the canteen is broken. Llŷr from the office says it ate the £500 float."
CASELOG_NOW=$now "$CASELOGD" -c "$conf" --once 2>>"$work/daemon.log" || { tail -20 "$work/daemon.log"; exit 1; }
ref_cafe=$(ref_of Café)
h_check "--search cafe finds Café" "$ref_cafe" "$(refs --search cafe)"
h_check "--search zoe finds Zoë" "$ref_cafe" "$(refs --search zoe)"
h_check "--search llyr finds Llŷr (Welsh)" "$ref_cafe" "$(refs --search llyr)"
h_check "--search Café, as written, still finds it" "$ref_cafe" "$(refs --search Café)"
h_check "--search £500" "$ref_cafe" "$(refs --search £500)"
h_summary desk_reading
