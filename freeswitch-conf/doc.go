// Package freeswitchconf holds no code: the directory is the FreeSWITCH
// configuration overlay (see README.md). Its test checks that the XML is
// well formed and agrees with the defaults exported by package dialplan.
package freeswitchconf
