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
	"capsat/survey/digest"
	"capsat/survey/notices"
	"capsat/survey/readmodel"
	"capsat/survey/store"
)

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
	// Readiness reports the store's last write probe: the first one now,
	// so that the service is ready as soon as it listens, then every few
	// seconds in the background.
	if err := st.store.ProbeWrite(ctx); err != nil {
		return storeFault("store cannot write at start", cfg, err)
	}
	probesDone := make(chan struct{})
	probeCtx, stopProbes := context.WithCancel(ctx)
	go func() { defer close(probesDone); st.store.RunProbes(probeCtx) }()
	defer func() { stopProbes(); <-probesDone }()

	mail, err := newMailer(cfg, st.store, log)
	if err != nil {
		return err
	}
	router, err := handlers.NewRouter(handlers.Deps{Store: st.store, ReadModel: st.figures, Config: cfg, Logger: log, Now: time.Now,
		MailConfigured: mail.Configured(), MailTemplates: mail.Templates(), WakeMailer: mail.Wake, StoreWarning: capacityWarning(cfg, log)})
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
	go purgeSessionsEvery(ctx, time.Hour, st.store, log)
	// Monthly digests: planned at start and every hour; a month's digests
	// are enqueued once (their _ids), whatever the instances.
	mails, err := notices.ParseTemplates()
	if err != nil {
		return fmt.Errorf("mail templates: %w", err)
	}
	digests := &digest.Planner{Store: digestStore{st.store, st.figures}, Mails: mails, BaseURL: cfg.BaseURL, Now: time.Now, Log: log}
	go digests.Run(ctx, time.Hour)
	// Summaries are refreshed in the background so that answers never wait
	// for a recomputation. At shutdown the worker stops at once: what it has
	// not refreshed stays queued in the store and the next start takes it
	// up, so that stopping takes the shutdown timeout at most whatever the
	// queue holds (a refresh scans whole collections on the embedded store).
	workerCtx, stopWorker := context.WithCancel(ctx)
	summariesDone := make(chan struct{})
	go func() {
		defer close(summariesDone)
		st.figures.RunSummaryWorker(workerCtx, 2*time.Second, log)
	}()
	var stopBy time.Time // the shutdown's deadline, once it began
	defer func() {
		stopWorker()
		wait := cfg.ShutdownTimeout
		if !stopBy.IsZero() {
			wait = max(time.Until(stopBy), 100*time.Millisecond)
		}
		select {
		case <-summariesDone:
		case <-time.After(wait):
			log.Warn("summary worker still busy at shutdown; its queue is taken up at the next start")
		}
	}()
	// The outbox's sender loop; a message it is sending when capsat stops
	// is recorded before it returns (or resent once after its claim times out).
	mailDone := make(chan struct{})
	mailCtx, stopMail := context.WithCancel(ctx)
	go func() { defer close(mailDone); mail.Run(mailCtx) }()
	defer func() { stopMail(); <-mailDone }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	stopBy = time.Now().Add(cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// purgeSessionsEvery deletes expired sessions periodically until ctx ends:
// the embedded store has no TTL indexes. Several instances doing it is harmless.
func purgeSessionsEvery(ctx context.Context, every time.Duration, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := st.PurgeExpiredSessions(ctx); err != nil {
				log.Warn("purge expired sessions", slog.String("error", err.Error()))
			} else if n > 0 {
				log.Info("expired sessions purged", slog.Int64("count", n))
			}
		}
	}
}

// digestStore is the store with its read model, as the digest planner
// reads both.
type digestStore struct {
	*store.Store
	*readmodel.Model
}
