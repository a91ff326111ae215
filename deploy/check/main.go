// Loads the deployment files with the libraries the real tools use, on a machine without Docker or Kubernetes:
//
//	deploycheck compose docker-compose.yml [profile…]   the project as `docker compose config --format json` sees it
//	                                                     (schema, anchors, interpolation, profiles), as JSON
//	deploycheck kustomize deploy/k8s/base               the manifests as `kubectl kustomize` builds them, as YAML
//
// tests/test_deployment.py validates the output (the manifests against the Kubernetes schemas) and checks every
// process's environment against the settings the code reads.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

func main() {
	if len(os.Args) < 3 {
		fail(fmt.Errorf("usage: deploycheck compose <file> [profile…] | kustomize <dir>"))
	}
	switch os.Args[1] {
	case "compose":
		options, err := cli.NewProjectOptions(
			[]string{os.Args[2]}, cli.WithOsEnv, cli.WithDotEnv, cli.WithProfiles(os.Args[3:]),
		)
		if err != nil {
			fail(err)
		}
		project, err := options.LoadProject(context.Background())
		if err != nil {
			fail(err)
		}
		out, err := project.MarshalJSON()
		if err != nil {
			fail(err)
		}
		fmt.Println(string(out))
	case "kustomize":
		resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), os.Args[2])
		if err != nil {
			fail(err)
		}
		out, err := resources.AsYaml()
		if err != nil {
			fail(err)
		}
		fmt.Print(string(out))
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
