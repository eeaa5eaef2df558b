package pgstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/stripegate/stripegate"
)

// Statements of Apply's step 2, which resolves the source through the
// aliases and records the change's new ones.
const (
	// resolveSourceSQL follows alias_id -> target_id from $1 for at most $2
	// hops and returns the last ID on the way that is a stored source, or
	// the last ID reached when none is: $1 itself when it is no alias.
	// Every hop is a lookup in source_aliases_pkey and one in sources_pkey.
	// The one statement reads the whole chain from one snapshot, and each
	// alias_id has at most one row, so each hop adds at most one row.
	resolveSourceSQL = `WITH RECURSIVE chain (id, hops) AS (
    SELECT $1::text, 0
  UNION ALL
    SELECT a.target_id, chain.hops + 1
    FROM chain
    JOIN {schema}.source_aliases a ON a.alias_id = chain.id
    WHERE chain.hops < $2
)
SELECT chain.id FROM chain
LEFT JOIN {schema}.sources s ON s.source_id = chain.id
ORDER BY s.source_id IS NOT NULL DESC, chain.hops DESC
LIMIT 1`

	// insertAliasesSQL records each ID of the array $1 as standing for the
	// source $2, in the order in which unnest returns them, the order of
	// the array (TestApplyInsertsAliasesInSortedOrder checks that the
	// inserts follow it). An alias that is stored
	// already keeps its target. When another transaction has inserted the
	// same alias and not finished, the insert waits for it, so of two
	// concurrent Applies naming one alias, the first to commit sets the
	// target.
	insertAliasesSQL = `INSERT INTO {schema}.source_aliases (alias_id, target_id)
SELECT alias, $2::text FROM unnest($1::text[]) AS alias
ON CONFLICT (alias_id) DO NOTHING`
)

// resolveSource returns the source that sourceID stands for, as
// stripegate.EntitlementStore.Apply's step 2 defines it.
//
// The read does not wait for transactions that insert aliases and have not
// committed. A change that names an ID while another Apply records that ID
// as an alias is applied to the ID itself, as if it had arrived just before
// that Apply.
func (s *Store) resolveSource(ctx context.Context, tx pgx.Tx, sourceID string) (string, error) {
	var resolved string
	err := tx.QueryRow(ctx, s.sql.resolveSource, sourceID, stripegate.MaxAliasHops).Scan(&resolved)
	if err != nil {
		return "", fmt.Errorf("resolve the aliases of source %s: %w", sourceID, err)
	}
	return resolved, nil
}

// insertAliases records each of aliases that is not empty, not sourceID
// and not stored yet as standing for sourceID.
//
// The aliases are inserted in sorted order. Two Applies naming some of the
// same aliases thus wait for each other's inserts in one order, so these
// inserts cannot deadlock.
//
// NOTE: two concurrent Applies where each names the other's source as an alias do not see each other's insert, so both aliases are stored and form a cycle. MaxAliasHops bounds the walk through it.
func (s *Store) insertAliases(ctx context.Context, tx pgx.Tx, aliases []string, sourceID string) error {
	candidates := newAliases(aliases, sourceID)
	if len(candidates) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, s.sql.insertAliases, candidates, sourceID); err != nil {
		return fmt.Errorf("record aliases %v of source %s: %w", candidates, sourceID, err)
	}
	return nil
}

// newAliases returns the IDs of aliases that may stand for sourceID,
// sorted and without repeats: the empty ID and sourceID itself are left
// out.
func newAliases(aliases []string, sourceID string) []string {
	out := make([]string, 0, len(aliases))
	for _, alias := range aliases {
		if alias != "" && alias != sourceID {
			out = append(out, alias)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
