#!/usr/bin/env bash
# web_browser: the web desk in a real headless browser (tests/web_browser.py), against
# the private stack: mail delivered to Dovecot and logged by a running caselogd (IDLE),
# two staff signed in through PostgreSQL (scram), notices to the school through the SMTP
# sink; a major incident linked and updated from the case page. Screenshots of the
# queue, a case and the incident are kept in $CASELOG_BUILD_DIR/web-screenshots.
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/web_harness.sh"
w_setup webbrowser
daemon=""
trap '[ -n "$daemon" ] && kill "$daemon" 2>/dev/null; w_cleanup' EXIT
sed -i 's/^routing = (/routing = (\n  { name = "safeguarding"; subject = "(?i)safeguarding"; confidential = true; },/' "$conf"
w_staff sam "Sam Jones" sam.jones@desk.example.org --safeguarding
w_staff priya "Priya Shah" priya.shah@desk.example.org
tag="wb$$x$RANDOM"

# Real school mail, a hostile one and a confidential one, logged by the daemon as it runs.
sed "s/^Message-ID: <\(.*\)>/Message-ID: <$tag-\1>/" "$harness_top/tests/mail/02-printer-after-hours.eml" > "$work/printer.eml"
python3 - "$work/hostile.eml" "$tag" <<'PY'
import sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "Mrs Helen Price <h.price@oakfield-primary.sch.uk>"
m["To"] = "servicedesk@desk.example.org"
m["Subject"] = '<script>alert("subject")</script> "><img src=x onerror=alert(2)>'
m["Message-ID"] = "<%s-hostile@oakfield-primary.sch.uk>" % sys.argv[2]
m.set_content('Click <a href="javascript:alert(3)">here</a> javascript:alert(4)\n<script>alert("body")</script>\n'
              '"><img src=x onerror=alert(5)>\n')
m.add_alternative('<p><script>alert("html")</script><img src=x onerror=alert(6)></p>', subtype="html")
open(sys.argv[1], "wb").write(bytes(m))
PY
printf 'From: DSL <dsl@riverside-academy.org.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Safeguarding concern\r\nMessage-ID: <%s-conf@riverside-academy.org.uk>\r\nDate: %s\r\n\r\nA pupil told us something worrying.\r\n' \
    "$tag" "$(date -R)" > "$work/conf.eml"
printf 'From: Tom Hughes <t.hughes@riverside-academy.org.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: New projector %s\r\nMessage-ID: <%s-new@riverside-academy.org.uk>\r\nDate: %s\r\n\r\nThe projector in the hall shows no picture.\r\n' \
    "$tag" "$tag" "$(date -R)" > "$work/new.eml"
for f in printer hostile conf; do "$STACK/imap_append.sh" desk "$folder" "$work/$f.eml" >/dev/null; done
"$CASELOGD" -c "$conf" --foreground 2>"$work/daemon.log" &
daemon=$!
for _ in $(seq 1 300); do
    [ "$(h_sql "$db" "SELECT count(*) FROM cases")" = 3 ] && break
    sleep 0.1
done
ref=$(h_sql "$db" "SELECT reference FROM cases WHERE subject = 'Printer in room 12 jamming'")
hostile=$(h_sql "$db" "SELECT reference FROM cases WHERE subject LIKE '<script>%'")
secret=$(h_sql "$db" "SELECT reference FROM cases WHERE confidential")
h_check "three cases logged by the running daemon" 3 "$(h_sql "$db" "SELECT count(*) FROM cases")"
w_start

shots="$CASELOG_BUILD_DIR/web-screenshots"
rc=0
WB_BASE=$base WB_SAM=$sam WB_SAM_PW=$sam_pw WB_PRIYA=$priya WB_PRIYA_PW=$priya_pw WB_REF=$ref WB_HOSTILE=$hostile \
    WB_CONFIDENTIAL=$secret WB_TAG=$tag WB_SHOTS=$shots \
    WB_NEW_MAIL="$STACK/imap_append.sh desk $folder $work/new.eml >/dev/null" \
    timeout 120 /usr/bin/python3 "$harness_top/tests/web_browser.py" || rc=$?
h_check "the browser's checks" 0 "$rc"

# The school is told: the comment's notice goes out through the SMTP sink.
for _ in $(seq 1 100); do
    [ "$(h_spool_with "$tag")" -ge 1 ] && break
    sleep 0.2
done
h_check "the school's notice with Sam's comment reached the SMTP server" 1 "$(h_spool_with "An engineer will look at the Kyocera today. $tag")"
h_check "sent to the requester" 1 "$(grep -l -F "Kyocera today. $tag" "$CASELOG_TEST_SMTP_SPOOL"/*.eml | xargs grep -l '^X-Test-Rcpt-To: t.hughes@riverside-academy.org.uk' | wc -l)"
h_check "the events record the person" "comment:$sam assigned:$sam resolved:$sam" \
    "$(h_sql "$db" "SELECT string_agg(e.kind || ':' || e.actor, ' ' ORDER BY e.id) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.reference = '$ref' AND e.kind IN ('comment', 'assigned', 'resolved')")"
h_check "the incident's update recorded on both cases, as Sam" "2 $sam" \
    "$(h_sql "$db" "SELECT count(*) || ' ' || max(actor) FROM case_events WHERE kind = 'comment' AND data->>'text' LIKE 'The projectors are being replaced%$tag'")"
h_check "screenshots kept" "yes yes yes" "$([ -s "$shots/queue.png" ] && echo yes) $([ -s "$shots/case.png" ] && echo yes) $([ -s "$shots/incident.png" ] && echo yes)"
if [ "$failed" -gt 0 ]; then
    echo "--- caselog-web's log"; tail -n 30 "$work/web.log"
    echo "--- caselogd's log"; tail -n 30 "$work/daemon.log"
fi
h_summary web_browser
