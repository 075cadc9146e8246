#!/usr/bin/env bash
# web_incidents: a major incident worked in the web desk as a coordinator would, over
# HTTP against the real stack: four schools report that nobody can log in; from the
# first case's page the other three are linked to it (one form, all or nothing: the
# case itself in the list links none), the parent's page says so, a comment with "every
# linked case" reaches each school once on its own case's thread (read back from the
# SMTP sink strictly as UTF-8), an internal note refuses to go to every case, a linked
# case points at its parent, one is unlinked, and resolve with "every linked case"
# resolves the rest together. Each change is recorded as the person signed in.
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/web_harness.sh"
w_setup webincident
trap w_cleanup EXIT
w_staff gwen "Gwen Ŵyn" gwen.wyn@desk.example.org
tag="wi$$x$RANDOM"

# Four schools' mail (the demo schools' domains), one case each.
senders=("Helen Price <h.price@oakfield-primary.sch.uk>" "Tom Reed <t.reed@riverside-academy.org.uk>"
         "Office <office@st-marys-rc.sch.uk>" "Siân Prŷs <s.prys@ysgol-llanhari.cymru>")
for i in 0 1 2 3; do
    python3 - "$work/m$i.eml" "${senders[$i]}" "Nobody can log in ($tag $i)" "<$tag-$i@school.example>" <<'PY'
import sys
from email.message import EmailMessage
from email.utils import formatdate
m = EmailMessage()
m["From"], m["To"], m["Subject"], m["Message-ID"] = sys.argv[2], "servicedesk@desk.example.org", sys.argv[3], sys.argv[4]
m["Date"] = formatdate(localtime=True)
m.set_content("Since 8am no member of staff can log in. Diolch, £0 budget left.\n")
open(sys.argv[1], "wb").write(bytes(m))
PY
    "$STACK/imap_append.sh" desk "$folder" "$work/m$i.eml" >/dev/null
done
once() { h_once "$conf"; }
once
mapfile -t refs < <(h_sql "$db" "SELECT reference FROM cases WHERE subject LIKE 'Nobody can log in ($tag %' ORDER BY subject")
h_check "four cases logged" 4 "${#refs[@]}"
parent=${refs[0]}
q() { h_sql "$db" "$1"; }

w_start
jar="$work/gwen.jar"
h_check "Gwen signs in" 303 "$(w_signin "$gwen" "$gwen_pw" "$jar")"
csrf=$(w_csrf "$jar" "/case/$parent")
post() { curl -s -o "$work/post.html" -w '%{http_code} %header{location}' -b "$jar" -H "Origin: $base" -d "csrf=$csrf" "$@"; }
h_check "the case page offers to link cases to it" 1 "$(curl -s -b "$jar" "$base/case/$parent" | grep -c "/case/$parent/link\"")"

# --- link: all or nothing ---
h_check "linking the case to itself among others: refused (409)" "409 " \
    "$(post --data-urlencode "refs=${refs[1]}, $parent" "$base/case/$parent/link")"
h_check "and says why" 1 "$(grep -c "Nothing was linked: $parent cannot be linked to itself" "$work/post.html")"
h_check "nothing was linked" 0 "$(q "SELECT count(*) FROM cases WHERE parent IS NOT NULL")"
h_check "no references: refused (400)" "400 " "$(post -d "refs= , " "$base/case/$parent/link")"
h_check "three linked (lower case and commas as typed): 303" "303 /case/$parent?done=linked" \
    "$(post --data-urlencode "refs=${refs[1],,},${refs[2]} ${refs[3]}" "$base/case/${parent,,}/link")"
h_check "each linked to the parent" 3 "$(q "SELECT count(*) FROM cases c JOIN cases p ON p.id = c.parent WHERE p.reference = '$parent'")"
h_check "linked by Gwen, in the events" 3 "$(q "SELECT count(*) FROM case_events WHERE kind = 'linked' AND actor = '$gwen'")"
curl -s -b "$jar" "$base/case/$parent?done=linked" > "$work/parent.html"
h_check "the parent's page: done, and 3 linked cases" "1 1" \
    "$(grep -c 'Linked to this major incident.' "$work/parent.html") $(grep -c '<dd>3 linked cases</dd>' "$work/parent.html")"
h_check "its comment and resolve forms offer every linked case" 2 "$(grep -c 'name="all" value="1"' "$work/parent.html")"
curl -s -b "$jar" "$base/case/${refs[1]}" > "$work/child.html"
h_check "a linked case names its parent and offers to unlink" "1 1" \
    "$(grep -c "linked to <a href=\"/case/$parent\">$parent</a>" "$work/child.html") $(grep -c "/case/${refs[1]}/unlink\"" "$work/child.html")"
h_check "and no box for every linked case" 0 "$(grep -c 'name="all"' "$work/child.html")"

# --- a comment on every linked case ---
update="Update ($tag): the sign-in service is back for most schools (学校). Diolch i chi — £0 cost."
h_check "an internal note cannot go to every case (400)" "400 " \
    "$(post -d visibility=internal -d all=1 --data-urlencode "text=$update" "$base/case/$parent/comment")"
h_check "the comment from a linked case: refused (409)" "409 " \
    "$(post -d visibility=public -d all=1 --data-urlencode "text=$update" "$base/case/${refs[2]}/comment")"
h_check "pointing at the parent" 1 "$(grep -c "linked to $parent: send the update from $parent" "$work/post.html")"
h_check "nothing was written by either" 0 "$(q "SELECT count(*) FROM case_events WHERE data->>'text' = '$update'")"
h_check "the comment on every linked case: 303" "303 /case/$parent?done=comment_all" \
    "$(post -d visibility=public -d all=1 --data-urlencode "text=$update" "$base/case/$parent/comment")"
h_check "four public comments by Gwen, one a case" "4 4 $gwen" \
    "$(q "SELECT count(*) || ' ' || count(DISTINCT case_id) || ' ' || max(actor) FROM case_events WHERE kind = 'comment' AND public AND data->>'text' = '$update'")"
once
h_check "each school mailed once, with the text read strictly as UTF-8" 4 "$(h_received --body "$update")"
for i in 1 2 3; do
    h_check "school $i's mail is on its own case's thread" 1 "$(h_received --body "$update" --subject "${refs[$i]}")"
done

# --- unlink one; resolve the rest together ---
h_check "unlink ${refs[3]}: 303" "303 /case/${refs[3]}?done=unlinked" "$(post "$base/case/${refs[3]}/unlink")"
h_check "it is on its own" "" "$(q "SELECT parent FROM cases WHERE reference = '${refs[3]}'")"
h_check "unlinking it again: refused (409)" "409 " "$(post "$base/case/${refs[3]}/unlink")"
h_check "resolve with every linked case: 303" "303 /case/$parent?done=resolved_all" \
    "$(post -d all=1 --data-urlencode "text=Fixed at the identity provider ($tag)." "$base/case/$parent/resolve")"
h_check "the parent and its two linked cases resolved; the unlinked one still open" "resolved resolved resolved open" \
    "$(q "SELECT string_agg(state, ' ' ORDER BY subject) FROM cases WHERE subject LIKE 'Nobody can log in ($tag %'")"
once
fixed="Fixed at the identity provider ($tag)."
h_check "each of the three schools told on its own case" "3 1 0" \
    "$(h_received --body "$fixed") $(h_received --body "$fixed" --subject "${refs[1]}") $(h_received --body "$fixed" --subject "${refs[3]}")"
h_summary web_incidents
