package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
)

// rollups runs `callcenter rollups rebuild`: the report rollups recomputed
// from the raw attempts, agent state rows, queue waits and IVR calls, and the
// contact counts from the contacts (they are kept current as calls land and
// contacts change; a rebuild repairs them after a restore or a manual data fix).
func rollups(ctx context.Context, cfg *Config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) != 1 || args[0] != "rebuild" {
		return usageError{"rollups: want: rollups rebuild"}
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.RebuildRollups(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "rollups rebuilt: %d attempts, %d agent state rows, %d queue waits and %d IVR calls read, %d rollup rows written, %d contacts counted in %d ms\n",
		n.Attempts, n.StateRows, n.QueueWaits, n.IVRCalls, n.RollupRows, n.Contacts, n.ElapsedMilli)
	return nil
}
