#!/bin/sh
# make-fixtures.sh writes the script importer's fixtures with LibreOffice, so
# the importer is tested on files real office software wrote.
#
# Needs: soffice (LibreOffice), iconv. Run: sh scriptimport/testdata/make-fixtures.sh
# Output (committed): script.csv, script_libreoffice.xlsx, script.docx,
# script.doc, script_outline_gbk.txt, script_outline.txt, broken.csv,
# broken_libreoffice.xlsx, broken.docx.
#
# The script (asserted by scriptimport tests): q1 single with two jumps,
# q2 text read to the customer, q3 a number with the default jump to the next
# row, q4 multi, q5 rating, q6 date, end_ok / end_wrong end rows.
# broken: row 3 names a type that does not exist, row 4 jumps to a node that
# does not exist.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$here/script.csv" <<'CSV'
编号,问题,类型,选项,跳转,结果
q1,您好，请问是{{name}}本人吗？,单选,是->q2；不是->end_wrong,,
q2,您的信用卡已逾期{{days}}天，请尽快还款。,话术,,,
q3,您本月能还款多少元？,数字,,,
q4,您希望通过哪些渠道还款？,多选,手机银行；柜台；自动扣款,,
q5,您对本次服务的评分（1-10）？,评分,,,
q6,预计还款日期？,日期,,end_ok,
end_ok,感谢您的配合，再见。,结束,,,success
end_wrong,打扰了，再见。,结束,,,wrong_person
CSV

cat >"$here/broken.csv" <<'CSV'
编号,问题,类型,选项,跳转
q1,您好，请问是本人吗？,单选,是；不是,
q2,请问您的职业？,下拉框,,
q3,请问还款日期？,日期,,q9
end,再见,结束,success,
CSV

for f in script broken; do
	soffice --headless --norestore --infilter='CSV:44,34,76,1' \
		--convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir "$work" "$here/$f.csv"
	cp "$work/$f.xlsx" "$here/${f}_libreoffice.xlsx"
done

# Word: a title paragraph, the table, a closing paragraph.
for f in script broken; do
	{
		printf '<html><head><meta charset="utf-8"></head><body>\n<p>信用卡逾期还款提醒话术</p>\n<table border="1">\n'
		awk -F, '{ printf "<tr>"; for (i = 1; i <= NF; i++) printf "<td>%s</td>", $i; printf "</tr>\n" }' "$here/$f.csv"
		printf '</table>\n<p>（完）</p></body></html>\n'
	} >"$work/$f.html"
	soffice --headless --norestore --infilter='HTML (StarWriter)' \
		--convert-to 'docx:MS Word 2007 XML' --outdir "$work" "$work/$f.html"
	cp "$work/$f.docx" "$here/"
done
soffice --headless --norestore --infilter='HTML (StarWriter)' \
	--convert-to 'doc:MS Word 97' --outdir "$work" "$work/script.html"
cp "$work/script.doc" "$here/"

cat >"$here/script_outline.txt" <<'TXT'
标题：信用卡逾期还款提醒
1. 【单选】您好，请问是{{name}}本人吗？
  - 是 -> 2
  - 不是 -> 9
2. 【话术】您的信用卡已逾期，请尽快还款。
3. 【数字】您本月能还款多少元？ -> 8
8. 【结束】success 感谢您的配合，再见。
9. 【结束】wrong_person 打扰了，再见。
TXT
iconv -f UTF-8 -t GBK "$here/script_outline.txt" >"$here/script_outline_gbk.txt"
ls -l "$here"
