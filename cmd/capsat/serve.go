package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"capsat/config"
	"capsat/handlers"
)

// newLogger returns the JSON logger at the configured level.
func newLogger(cfg config.Config, e env) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}

// serve runs the HTTP service until ctx is cancelled, then lets in-flight
// requests finish within the shutdown timeout.
func serve(ctx context.Context, args []string, e env) error {
	cfg, err := config.Load(args, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, e)
	log.Info("configuration", slog.Any("settings", cfg.LogValues()))
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.close()

	router, err := handlers.NewRouter(handlers.Deps{Store: st.store, Config: cfg, Logger: log, Now: time.Now})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           router,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (CAPSAT_ADDR): %w", cfg.Addr, err)
	}
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("base_url", cfg.BaseURL))
	if e.onListen != nil {
		e.onListen(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}
