#!/usr/bin/env bash
# web_desk: caselog-web over HTTP, as a browser and as an attacker would use it, against
# the real stack: sign-in checked by PostgreSQL (scram over TCP) and its limits, the
# cookie, the security headers on every kind of response, hostile mail shown as text,
# POSTs refused without the CSRF token or from another origin (and nothing changed), a
# confidential case refused by URL to a desk member without caselog_safeguarding,
# attachments as downloads, a change made elsewhere read afresh, the report (caselog
# report's figures, what row-level security left out said), schools and status, the
# live stream, sign-out and idle expiry, a sign-in route that asks no password refused,
# sign-in by a trusted proxy's header, and TLS of its own.
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/web_harness.sh"
w_setup webdesk
trap w_cleanup EXIT
sed -i 's/^routing = (/routing = (\n  { name = "safeguarding"; subject = "(?i)safeguarding"; confidential = true; },/' "$conf"
w_staff sam "Sam Jones" sam.jones@desk.example.org --safeguarding
w_staff priya "Priya Shah" priya.shah@desk.example.org
tag="wd$$x$RANDOM"

# --- mail in: hostile, with attachments; and a confidential one ---
python3 - "$work/hostile.eml" "$tag" <<'PY'
import sys
from email.message import EmailMessage
path, tag = sys.argv[1], sys.argv[2]
m = EmailMessage()
m["From"] = "Mrs Helen Price <h.price@oakfield-primary.sch.uk>"
m["To"] = "servicedesk@desk.example.org"
m["Subject"] = '<script>alert("subject")</script> "><img src=x onerror=alert(2)> ' + tag
m["Message-ID"] = "<%s-hostile@oakfield-primary.sch.uk>" % tag
m.set_content('Click <a href="javascript:alert(3)">here</a> javascript:alert(4)\n'
              '<script>alert("body")</script> "><img src=x onerror=alert(5)> £5 Gŵyr 学校\n')
m.add_alternative('<p>Hi <script>alert("html")</script><a href="javascript:alert(6)">link</a>'
                  '<img src=x onerror=alert(7)></p>', subtype="html")
m.add_attachment(b"<html><script>alert(8)</script></html>", maintype="text", subtype="html",
                 filename='../../evil"name;.html')
m.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), maintype="image", subtype="png", filename="screen.png")
open(path, "wb").write(bytes(m))
PY
"$STACK/imap_append.sh" desk "$folder" "$work/hostile.eml" >/dev/null
printf 'From: DSL <dsl@riverside-academy.org.uk>\r\nTo: servicedesk@desk.example.org\r\nSubject: Safeguarding concern %s\r\nMessage-ID: <%s-conf@riverside-academy.org.uk>\r\nDate: %s\r\n\r\nA pupil told us something worrying.\r\n' \
    "$tag" "$tag" "$(date -R)" > "$work/conf.eml"
"$STACK/imap_append.sh" desk "$folder" "$work/conf.eml" >/dev/null
"$CASELOGD" -c "$conf" --once 2>>"$work/daemon.log" || { tail -20 "$work/daemon.log"; exit 1; }
ref=$(h_sql "$db" "SELECT reference FROM cases WHERE subject LIKE '%$tag' AND NOT confidential")
conf_ref=$(h_sql "$db" "SELECT reference FROM cases WHERE confidential")
h_check "two cases logged, one confidential" "2 1" "$(h_sql "$db" "SELECT count(*) || ' ' || count(*) FILTER (WHERE confidential) FROM cases")"
w_start

# --- signing in ---
h_check "not signed in: sent to sign in" "303 /signin?next=/" "$(curl -s -o /dev/null -w '%{http_code} %header{location}' "$base/")"
curl -s -D "$work/h" -o /dev/null "$base/signin"
headers() { tr -d '\r' < "$work/h" | grep -i "^$1:" | cut -d' ' -f2- ; }
h_check "CSP" "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" "$(headers Content-Security-Policy)"
h_check "nosniff" nosniff "$(headers X-Content-Type-Options)"
h_check "Referrer-Policy" same-origin "$(headers Referrer-Policy)"
h_check "the sign-in page has no inline script" 0 "$(curl -s "$base/signin" | grep -c '<script>\|<script [^s]*>\|onload=\|onclick=')"
jar="$work/sam.jar"
h_check "a wrong password: 401" 401 "$(w_signin "$sam" "wrong" "$jar")"
h_check "and no session cookie" 0 "$(grep -c caselog_session "$jar" 2>/dev/null || true)"
h_check "sign-in POST from another origin: 403" 403 \
    "$(curl -s -o /dev/null -w '%{http_code}' -H 'Origin: http://evil.example' --data-urlencode "role=$sam" --data-urlencode "password=$sam_pw" "$base/signin")"
cookie=$(curl -s -o /dev/null -D - -H "Origin: $base" --data-urlencode "role=$sam" --data-urlencode "password=$sam_pw" "$base/signin" | tr -d '\r' | sed -n 's/^Set-Cookie: //Ip')
h_check "the cookie: HttpOnly, SameSite=Strict, 43 characters of token" 1 \
    "$(grep -cE '^caselog_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict$' <<<"$cookie")"
h_check "the right password: 303 to the queue" 303 "$(w_signin "$sam" "$sam_pw" "$jar")"
h_check "only the token's hash is stored" 0 "$(h_sql "$db" "SELECT count(*) FROM web_sessions WHERE token_sha256 = '$(sed -n 's/^caselog_session=\([^;]*\).*/\1/p' <<<"$cookie")'")"
h_check "the queue lists the cases" 1 "$(curl -s -b "$jar" "$base/" | grep -c "/case/$ref\"")"

# --- hostile mail is text ---
page=$(curl -s -b "$jar" "$base/case/$ref")
h_check "hostile subject escaped (title, heading, the mail, our acknowledgement)" 4 "$(grep -c '&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(2)&gt;' <<<"$page")"
h_check "hostile body escaped" 1 "$(grep -c 'Click &lt;a href=&quot;javascript:alert(3)&quot;&gt;here&lt;/a&gt; javascript:alert(4)' <<<"$page")"
h_check "no script element but our own file" 1 "$(grep -o '<script[^>]*>' <<<"$page" | sort -u | wc -l)"
h_check "no img element, no javascript: link, no event handler attribute" 0 \
    "$(grep -ciE '<img|href="javascript:|<[a-z]+ [^>]*on(error|load|click)=' <<<"$page")"
h_check "accents, Welsh, Chinese kept" 1 "$(grep -c '£5 Gŵyr 学校' <<<"$page")"

# --- a change made elsewhere (here the CLI) shows on a case page already read once ---
"$CASELOG" -c "$conf" comment "$ref" --internal "Noted from the command line $tag" >/dev/null
for _ in $(seq 1 40); do
    curl -s -b "$jar" "$base/case/$ref" | grep -q "Noted from the command line $tag" && break
    sleep 0.05
done
h_check "a note made with the CLI is on the page, read afresh" 1 "$(curl -s -b "$jar" "$base/case/$ref" | grep -c "Noted from the command line $tag")"

# --- CSRF and origin ---
csrf=$(w_csrf "$jar" "/case/$ref")
h_check "the page carries a CSRF token" 64 "${#csrf}"
events() { h_sql "$db" "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.reference = '$ref'"; }
before=$(events)
post() { curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$@"; }
h_check "a comment without the CSRF token: 403" 403 "$(post -H "Origin: $base" -d text=forged -d visibility=public "$base/case/$ref/comment")"
h_check "a comment with a wrong token: 403" 403 "$(post -H "Origin: $base" -d csrf=0000 -d text=forged "$base/case/$ref/comment")"
h_check "a comment from another origin: 403" 403 "$(post -H "Origin: http://evil.example" -d "csrf=$csrf" -d text=forged "$base/case/$ref/comment")"
h_check "a comment with no Origin nor Referer: 403" 403 "$(post -d "csrf=$csrf" -d text=forged "$base/case/$ref/comment")"
h_check "a GET changes nothing either" 404 "$(post "$base/case/$ref/comment?csrf=$csrf&text=forged")"
h_check "nothing changed" "$before" "$(events)"
h_check "a real comment: 303" 303 "$(post -H "Origin: $base" -d "csrf=$csrf" --data-urlencode "text=On it <b>$tag</b>" -d visibility=public "$base/case/$ref/comment")"
h_check "recorded once, as Sam" "1 comment:$sam" "$(h_sql "$db" "SELECT count(*) || ' ' || max(kind || ':' || actor) FROM case_events WHERE data->>'text' = 'On it <b>$tag</b>'")"

# --- the other forms: assign (to the staff only), the corrections ---
h_check "assigning to someone not on the staff: refused (409)" 409 "$(post -H "Origin: $base" -d "csrf=$csrf" -d assignee=mallory "$base/case/$ref/assign")"
h_check "assigned to Priya: 303" 303 "$(post -H "Origin: $base" -d "csrf=$csrf" -d "assignee=$priya" "$base/case/$ref/assign")"
h_check "the event in words, with the names" 1 "$(curl -s -b "$jar" "$base/case/$ref" | grep -c 'Sam Jones assigned the case to Priya Shah')"
h_sql "$db" "UPDATE cases SET priority = 2 WHERE reference = '$ref'" >/dev/null
h_check "corrected to an enquiry: 303" "303 /case/$ref?done=corrected" \
    "$(curl -s -o /dev/null -w '%{http_code} %header{location}' -b "$jar" -H "Origin: $base" -d "csrf=$csrf" -d type=enquiry -d queue=MIS -d school=oakfield -d "requester=h.price@oakfield-primary.sch.uk" "$base/case/$ref/set")"
h_check "the type, queue and the charter's priority cap" "enquiry MIS 3" "$(h_sql "$db" "SELECT type || ' ' || queue || ' ' || priority FROM cases WHERE reference = '$ref'")"
h_check "one internal event, no mail" "corrected false false" "$(h_sql "$db" "SELECT kind || ' ' || public || ' ' || needs_notice FROM case_events WHERE kind = 'corrected'")"

# --- confidential ---
jar2="$work/priya.jar"
w_signin "$priya" "$priya_pw" "$jar2" >/dev/null
h_check "Priya (no safeguarding) asks for the confidential case by URL: 404" 404 \
    "$(curl -s -o "$work/p.html" -w '%{http_code}' -b "$jar2" "$base/case/$conf_ref")"
h_check "and sees nothing of it" 0 "$(grep -c "Safeguarding concern\|worrying" "$work/p.html")"
h_check "nor on her queue" 0 "$(curl -s -b "$jar2" "$base/" | grep -c "$conf_ref")"
h_check "Sam (safeguarding) opens it" 200 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$base/case/$conf_ref")"
h_check "Priya cannot act on it either (404)" 404 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar2" -H "Origin: $base" -d "csrf=$(w_csrf "$jar2")" -d text=x -d visibility=internal "$base/case/$conf_ref/comment")"

# --- the report (the figures of caselog report, what RLS hid said), schools, status ---
span="from=$(date -d yesterday +%F)&to=$(date -d tomorrow +%F)"
logged() { sed -n 's|.*<th scope="row">cases logged</th><td>\([0-9]*\)</td>.*|\1|p' "$1" | head -n 1; }
curl -s -o "$work/r-sam.html" -b "$jar" "$base/report?$span&by=type"
cli_logged=$("$CASELOG" -c "$conf" report --from "$(date -d yesterday +%F)" --to "$(date -d tomorrow +%F)" --format csv | awk -F, 'NR == 2 { print $6 }')
h_check "report: cases logged in all, as caselog report counts them" "2 2" "$cli_logged $(logged "$work/r-sam.html")"
h_check "report: a table for each type, the chart drawn" "5 1" \
    "$(grep -c '<caption>\(incident\|service_request\|enquiry\|change_request\|complaint\)</caption>' "$work/r-sam.html") $(grep -c '<svg ' "$work/r-sam.html")"
curl -s -o "$work/r-priya.html" -b "$jar2" "$base/report?$span"
h_check "report for Priya: the confidential case not counted, and said so" "1 1" \
    "$(logged "$work/r-priya.html") $(grep -c '1 confidential case logged in the period is not counted' "$work/r-priya.html")"
h_check "report: a bad period is refused" 400 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$base/report?from=2026-02-30&to=x")"
h_check "schools: the directory" 1 "$(curl -s -b "$jar" "$base/schools" | grep -c '<th scope="row">Oakfield Primary School</th>')"
h_check "status: a verdict in words" 1 "$(curl -s -b "$jar" "$base/status" | grep -c '<p class="verdict [a-z]*">')"

# --- attachments: downloads, safe names, checked bytes ---
curl -s -D "$work/h" -o "$work/a1" -b "$jar" "$base/case/$ref/attachment/1"
h_check "attachment: a download under a safe name" 'attachment; filename="evil_name_.html"; filename*=UTF-8'"''"'evil%22name%3B.html' "$(headers Content-Disposition)"
h_check "attachment: never as HTML" application/octet-stream "$(headers Content-Type)"
h_check "attachment: sandboxed" "sandbox; default-src 'none'" "$(headers Content-Security-Policy)"
h_check "attachment: the bytes as logged" "$(h_sql "$db" "SELECT a.sha256 FROM attachments a JOIN messages m ON m.id = a.message_id JOIN cases c ON c.id = m.case_id WHERE c.reference = '$ref' AND a.ordinal = 1")" "$(sha256sum "$work/a1" | cut -d' ' -f1)"
curl -s -D "$work/h" -o /dev/null -b "$jar" "$base/case/$ref/attachment/2?view=1"
h_check "a PNG may be viewed inline" "image/png inline" "$(headers Content-Type) $(headers Content-Disposition | cut -d';' -f1)"
h_check "no attachment 3" 404 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$base/case/$ref/attachment/3")"

# --- the live stream ---
curl -s -N -m 4 -b "$jar" "$base/events" > "$work/sse" &
sse=$!
sleep 1
h_sql "$db" "UPDATE cases SET updated_at = now() WHERE reference = '$ref'" >/dev/null
wait "$sse" || true
h_check "a change is announced on /events" 1 "$(grep -c '^event: change' "$work/sse")"
h_check "not signed in, no stream" 401 "$(curl -s -o /dev/null -w '%{http_code}' -m 2 "$base/events")"

# --- rate limits: 5 failures for a role, then even the right password waits ---
for i in 1 2 3 4 5; do w_signin "$priya" "wrong$i" "$work/x.jar" >/dev/null; done
h_check "the 6th try for the role is refused: 429" 429 "$(w_signin "$priya" "$priya_pw" "$work/x.jar")"
h_check "with Retry-After" 1 "$(curl -s -D - -o /dev/null -H "Origin: $base" -d role="$priya" -d password=x "$base/signin" | grep -ci '^Retry-After: [0-9]')"
h_check "Sam is not held up" 303 "$(w_signin "$sam" "$sam_pw" "$work/y.jar")"

# --- sign-out and idle expiry ---
h_check "sign-out: 303" 303 "$(curl -s -o /dev/null -w '%{http_code}' -H "Origin: $base" -d "csrf=$(w_csrf "$work/y.jar")" -b "$work/y.jar" -c "$work/y.jar" "$base/signout")"
h_check "the session is gone" 303 "$(curl -s -o /dev/null -w '%{http_code}' -b "$work/y.jar" "$base/")"
h_sql "$db" "UPDATE web_sessions SET last_seen_at = now() - interval '9 hours'" >/dev/null
h_check "idle for longer than session_idle: signed out" "303 /signin?next=/" "$(curl -s -o /dev/null -w '%{http_code} %header{location}' -b "$jar" "$base/")"

# --- a sign-in route that asks no password, and sign-in by a trusted proxy ---
port2=$(h_free_port)
socket=$(sed -n 's/.*\(host=[^ ]* port=[0-9]*\).*/\1/p' <<<"$db")
sed -e "s/listen = \"127.0.0.1:$port\"/listen = \"127.0.0.1:$port2\"/" -e "s|base_url = \"$base/\"|base_url = \"http://127.0.0.1:$port2/\"|" \
    -e "s|signin_conninfo = \"[^\"]*\"|signin_conninfo = \"$socket dbname=$(sed -n 's/.*dbname=\([^ ]*\).*/\1/p' <<<"$db")\"; trusted_proxy_header = \"X-Remote-User\"|" \
    "$conf" > "$work/proxy.conf"
w_start "$work/proxy.conf"
base2="http://127.0.0.1:$port2"
h_check "trust on the sign-in route: refused (503)" 503 \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "Origin: $base2" --data-urlencode "role=$sam" -d password=anything "$base2/signin")"
h_check "and the admin is told why" 1 "$(grep -c 'action=signin_unsafe' "$work/web.log")"
h_check "the proxy names Priya by address: her queue" "200 1" \
    "$(curl -s -o "$work/q.html" -w '%{http_code}' -H 'X-Remote-User: Priya.Shah@desk.example.org' "$base2/") $(grep -c 'class="person">Priya Shah<' "$work/q.html")"
h_check "a name the staff does not know: 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Remote-User: mallory@evil.example' "$base2/")"
h_check "the proxy's sessions are marked so" 1 "$(h_sql "$db" "SELECT count(*) FROM web_sessions WHERE via_proxy AND role_name = '$priya'")"

# --- TLS of its own (libmicrohttpd with GnuTLS): then the cookie is Secure, as __Host- ---
port3=$(h_free_port)
certs="$CASELOG_TEST_STACK_DIR/certs"
sed -e "s/listen = \"127.0.0.1:$port\"/listen = \"127.0.0.1:$port3\"/" \
    -e "s|base_url = \"$base/\"|base_url = \"https://127.0.0.1:$port3/\"; tls_cert_file = \"$certs/server.pem\"; tls_key_file = \"$certs/server.key\"|" \
    "$conf" > "$work/tls.conf"
w_start "$work/tls.conf"
base3="https://127.0.0.1:$port3"
h_check "TLS: the sign-in page over HTTPS, its certificate checked" 200 \
    "$(curl -s --cacert "$CASELOG_TEST_CA_FILE" -o /dev/null -w '%{http_code}' "$base3/signin")"
h_check "TLS: no plain HTTP on that port" 000 "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port3/signin" || true)"
cookie3=$(curl -s --cacert "$CASELOG_TEST_CA_FILE" -o /dev/null -D - -H "Origin: $base3" --data-urlencode "role=$sam" \
    --data-urlencode "password=$sam_pw" "$base3/signin" | tr -d '\r' | sed -n 's/^Set-Cookie: //Ip')
h_check "TLS: the cookie is __Host-, Secure, HttpOnly, SameSite=Strict" 1 \
    "$(grep -cE '^__Host-caselog_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Secure$' <<<"$cookie3")"
h_summary web_desk
