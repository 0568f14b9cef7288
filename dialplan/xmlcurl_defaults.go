package dialplan

// Defaults shared by cmd/callcenter, docker-compose.yml and the overlay in
// freeswitch-conf/, whose test checks that the XML files agree with them.
// No secret is among them: the event socket password and the xml_curl
// credentials are generated per installation by scripts/gen-secrets.sh.
const (
	// DefaultESLPort is FreeSWITCH's inbound event socket port.
	DefaultESLPort = 8021
	// DefaultIVRSocketAddr is where the ivr server listens and where the
	// dialplan's `socket` application connects.
	DefaultIVRSocketAddr = "127.0.0.1:8084"
	// DefaultXMLCurlBase is the controller's HTTP address as FreeSWITCH sees
	// it (the docker-compose service name and API port); the mod_xml_curl
	// URLs are this plus DirectoryPath or DialplanPath.
	DefaultXMLCurlBase = "http://callcenter:8080"
	// DirectoryPath and DialplanPath are the mod_xml_curl routes, mounted by
	// the api package.
	DirectoryPath = "/fs/directory"
	DialplanPath  = "/fs/dialplan"
)
