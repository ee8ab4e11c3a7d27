package survey_test

import (
	"go/ast"
	"go/types"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"
)

// TestDomainImportsNoStorageNorWorkbooks keeps survey the pure domain: the
// MongoDB driver and excelize belong to the packages beneath it.
func TestDomainImportsNoStorageNorWorkbooks(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "go.mongodb.org/mongo-driver") || strings.Contains(dep, "excelize") {
			t.Errorf("survey depends on %s", dep)
		}
	}
}

// TestNoFileDependencyLoops checks, in every package of the module, that
// no file depends on itself through others: file A depends on file B when
// A uses a type, function, method, field, constant or variable that B
// declares. Each package then reads as layers, from files that use nothing
// of their package up to the one that wires them. Test files are left out.
func TestNoFileDependencyLoops(t *testing.T) {
	t.Parallel()
	cfg := &packages.Config{Dir: "..", Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			t.Fatalf("%s: %v", p.PkgPath, p.Errors[0])
		}
		for _, loop := range fileLoops(fileGraph(p)) {
			t.Errorf("%s: files depend on each other in a loop: %s", p.PkgPath, strings.Join(loop, " "))
		}
	}
}

// fileGraph maps each file of p to the files whose declarations it uses.
func fileGraph(p *packages.Package) map[string]map[string]bool {
	declaredIn := map[types.Object]string{}
	for id, obj := range p.TypesInfo.Defs {
		if obj == nil || obj.Pkg() != p.Types || !packageLevel(obj) {
			continue
		}
		declaredIn[obj] = filepath.Base(p.Fset.Position(id.Pos()).Filename)
	}
	g := map[string]map[string]bool{}
	for _, f := range p.Syntax {
		from := filepath.Base(p.Fset.Position(f.Pos()).Filename)
		g[from] = map[string]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if to, ok := declaredIn[p.TypesInfo.Uses[id]]; ok && to != from {
					g[from][to] = true
				}
			}
			return true
		})
	}
	return g
}

// packageLevel tells whether obj is declared at package level, or is a
// method or a struct field (which a file can use from another).
func packageLevel(obj types.Object) bool {
	if obj.Parent() == obj.Pkg().Scope() {
		return true
	}
	switch o := obj.(type) {
	case *types.Func:
		return o.Type().(*types.Signature).Recv() != nil
	case *types.Var:
		return o.IsField()
	}
	return false
}

// fileLoops returns the strongly connected components of more than one
// file (Tarjan's algorithm), each sorted.
func fileLoops(g map[string]map[string]bool) [][]string {
	index, low, onStack := map[string]int{}, map[string]int{}, map[string]bool{}
	var stack []string
	var loops [][]string
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = len(index), len(index)
		stack = append(stack, v)
		onStack[v] = true
		for w := range g[v] {
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		if len(comp) > 1 {
			slices.Sort(comp)
			loops = append(loops, comp)
		}
	}
	files := make([]string, 0, len(g))
	for f := range g {
		files = append(files, f)
	}
	slices.Sort(files)
	for _, f := range files {
		if _, seen := index[f]; !seen {
			visit(f)
		}
	}
	return loops
}
