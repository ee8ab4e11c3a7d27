package main

import (
	"context"
	"errors"
)

// demo fills the store with a demo network. (Being built in the platform issue.)
func demo(ctx context.Context, args []string, e env) error {
	return errors.New("demo: not built yet")
}
