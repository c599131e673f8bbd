package permissions

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestNamesHoldOpenFinsList checks the table against OpenFin's secured API
// names (testdata/permissions/openfin.txt, one dotted name a line, #
// comments): every name is known, and the table is sorted without repeats,
// as Known's binary search needs.
func TestNamesHoldOpenFinsList(t *testing.T) {
	f, err := os.Open("../testdata/permissions/openfin.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(want) < 80 {
		t.Fatalf("got %d names in the list, want OpenFin's 82", len(want))
	}
	for _, n := range want {
		if !Known(n) {
			t.Errorf("got %s unknown, want it known", n)
		}
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("got a table that is not sorted or holds a name twice")
	}
	for _, n := range []string{"", "System", "System.launchExternalProces", "system.launchExternalProcess", "webAPIs"} {
		if Known(n) {
			t.Errorf("got %q known, want it unknown", n)
		}
	}
}
