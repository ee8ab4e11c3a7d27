package embedded

import "testing"

func TestStartAtListensOnLoopbackOnly(t *testing.T) {
	t.Parallel()
	for addr, ok := range map[string]bool{
		"127.0.0.1:0":     true,
		"127.0.0.1:27018": true,
		"[::1]:27018":     true,
		"localhost:27018": true,
		"0.0.0.0:27018":   false,
		":27018":          false,
		"10.0.0.5:27018":  false,
		"example.org:80":  false,
		"127.0.0.1":       false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}
