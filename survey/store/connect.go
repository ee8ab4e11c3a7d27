package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// ConnectOptions are the settings for Connect.
type ConnectOptions struct {
	URI     string
	Timeout time.Duration // connect and server-selection timeout
	// Embedded relaxes what the embedded FerretDB does not support
	// (majority write concern, retryable writes need a replica set).
	Embedded bool
	// Monitor, when set, is told of every command the client sends (the
	// MongoDB-mode test that checks every daily query uses an index).
	Monitor *event.CommandMonitor
}

// Connect opens a client and checks that the server answers within the timeout.
func Connect(ctx context.Context, o ConnectOptions) (*mongo.Client, error) {
	opts := options.Client().ApplyURI(o.URI).
		SetConnectTimeout(o.Timeout).
		SetServerSelectionTimeout(o.Timeout).
		SetAppName("capsat")
	if o.Monitor != nil {
		opts.SetMonitor(o.Monitor)
	}
	if !o.Embedded {
		opts.SetRetryWrites(true).SetWriteConcern(writeconcern.Majority())
	} else {
		opts.SetRetryWrites(false)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to store: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if err := client.Ping(pingCtx, readpref.Primary()); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store did not answer within %s: %w", o.Timeout, err)
	}
	return client, nil
}
