#!/bin/sh
# make-fixtures.sh regenerates the importer's office-file fixtures with real
# office software, so the readers are tested against what LibreOffice/WPS users
# actually upload rather than files written by our own code.
#
# Needs: soffice (LibreOffice), iconv. Run from anywhere:
#   sh importer/testdata/make-fixtures.sh
# Output (committed): contacts.csv, contacts_libreoffice.xlsx, contacts.docx,
# contacts.doc, contacts_en.doc, contacts_gbk.txt, contacts_legacy.xls.
#
# Row meanings (file rows, header = 1) are asserted by importer tests:
#   2 valid; 3 +86 with spaces, no ID; 4 bad ID checksum (rejected);
#   5 main phone too short, alt landline valid (kept); 6 no phone (rejected);
#   7 landline with extension, lowercase x in ID; 8 full-width digits, alt is
#   the same number; 9 blank (skipped); 10 valid.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$here/contacts.csv" <<'CSV'
客户姓名,手机号码,备用电话,身份证号码,客户类型,客户经理邮箱,账户余额,到期日,备注
张伟,13800138000,010-12345678,110101199003071233,VIP客户,mgr@bank.example,1200.50,2026-12-01,"逾期, 需跟进"
李娜,+86 139 0013 9000,,,普通客户,mgr@bank.example,88.00,2026-12-15,
王芳,13700137000,,110101199003071234,普通客户,,0,2027-01-01,
赵强,12345,0755 1234 5678,440305198512310026,VIP客户,li@bank.example,5000,2026-11-30,
陈静,,,310115197806154418,普通客户,,10,2026-12-31,
刘洋,0755-12345678转801,(021)87654321,44030419870315105x,对公客户,,300,2026-12-02,
周敏,１３６００１３６０００,13600136000,,普通客户,,,,
,,,,,,,,
吴刚,15912345678,,510104200002290038,VIP客户,wu@bank.example,1.5,2026-12-20,
CSV

# Excel: phone (col 2) and balance (col 7) as Standard so LibreOffice stores
# numbers, ID and alt phone as Text, date (col 8) as a YMD date.
# CSV filter tokens: separator 44 (,), quote 34 ("), charset 76 (UTF-8),
# first line 1, column formats col/format (1 standard, 2 text, 5 YMD).
cp "$here/contacts.csv" "$work/contacts_libreoffice.csv"
soffice --headless --norestore \
	--infilter='CSV:44,34,76,1,1/2/2/1/3/2/4/2/5/2/6/2/7/1/8/5/9/2' \
	--convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$work" "$work/contacts_libreoffice.csv"
cp "$work/contacts_libreoffice.xlsx" "$here/"
# Legacy .xls, which the importer must refuse with a clear message.
soffice --headless --norestore \
	--infilter='CSV:44,34,76,1,1/2/2/1/3/2/4/2/5/2/6/2/7/1/8/5/9/2' \
	--convert-to 'xls:MS Excel 97' --outdir "$work" "$work/contacts_libreoffice.csv"
cp "$work/contacts_libreoffice.xls" "$here/contacts_legacy.xls"

# GBK tab-separated text as an old core-banking export would give it:
# LibreOffice writes the tab text (filter token 9 = tab), iconv makes it GBK.
soffice --headless --norestore \
	--infilter='CSV:44,34,76,1,1/2/2/2/3/2/4/2/5/2/6/2/7/2/8/2/9/2' \
	--convert-to 'txt:Text - txt - csv (StarCalc):9,34,76' --outdir "$work" "$work/contacts_libreoffice.csv"
iconv -f UTF-8 -t GBK "$work/contacts_libreoffice.txt" >"$here/contacts_gbk.txt"

# Word: an HTML page with a small signature table first and the contact table
# second, so the reader must pick the table with the most rows.
{
	printf '<html><head><meta charset="utf-8"></head><body>\n'
	printf '<p>客户名单（请勿外传）</p>\n'
	printf '<table border="1"><tr><td>制表人</td><td>张三</td></tr><tr><td>日期</td><td>2026-11-24</td></tr></table>\n'
	printf '<p>明细如下：</p>\n<table border="1">\n'
	awk -F, '{
		printf "<tr>"
		for (i = 1; i <= 9; i++) {
			v = $i
			if (i == 9 && NR == 2) v = "逾期, 需跟进"
			printf "<td>%s</td>", v
		}
		printf "</tr>\n"
	}' "$here/contacts.csv"
	printf '</table>\n<p>完</p></body></html>\n'
} >"$work/contacts.html"
soffice --headless --norestore --infilter='HTML (StarWriter)' \
	--convert-to 'docx:MS Word 2007 XML' --outdir "$work" "$work/contacts.html"
soffice --headless --norestore --infilter='HTML (StarWriter)' \
	--convert-to 'doc:MS Word 97' --outdir "$work" "$work/contacts.html"
cp "$work/contacts.docx" "$work/contacts.doc" "$here/"

# A Word 97 file with English headers and an empty header cell, which only
# the paragraph properties (row-end marks) can tell from a row end.
cat >"$work/contacts_en.html" <<'HTML'
<html><body><p>Contact list</p><table border="1">
<tr><td>Name</td><td>Mobile</td><td>Alt Phone</td><td>ID Number</td><td>Customer Type</td><td></td><td>Manager Email</td><td>Branch</td></tr>
<tr><td>Alice Wang</td><td>13800138000</td><td></td><td>110101199003071233</td><td>VIP</td><td>note 1</td><td>mgr@bank.example</td><td>Pudong</td></tr>
<tr><td>Bob Li</td><td>+86 139-0013-9000</td><td>021 8765 4321</td><td></td><td>normal</td><td></td><td></td><td></td></tr>
<tr><td>Carol Zhao</td><td></td><td></td><td>110101199003071233</td><td>normal</td><td></td><td>not-an-email</td><td>Minhang</td></tr>
</table></body></html>
HTML
soffice --headless --norestore --infilter='HTML (StarWriter)' \
	--convert-to 'doc:MS Word 97' --outdir "$work" "$work/contacts_en.html"
cp "$work/contacts_en.doc" "$here/"
ls -l "$here"
