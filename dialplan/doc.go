// Package dialplan holds pure builders for what the controller and the IVR
// say to FreeSWITCH: originate arguments with their global and per-leg
// variables, dial strings for gateways and agents, number normalisation, and
// the XML served to mod_xml_curl.
//
// Nothing here does I/O or keeps state, so every function is safe for
// concurrent use and is tested with plain tables.
package dialplan
