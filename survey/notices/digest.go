package notices

import (
	"capsat/survey"
)

// DigestFigure is one headline figure of a digest, as it reads.
type DigestFigure struct {
	Label string
	Value string // "82 %", "+35", "—", or "non diffusé" when withheld
	N     int    // what it rests on
	Unit  string // what N counts
}

// ExpiringLink is a survey link that expires soon, unanswered.
type ExpiringLink struct {
	Reference string
	Expires   string // "12/03/2026"
}

// StructureDigest is what a structure's monthly digest says.
type StructureDigest struct {
	Structure *survey.Structure
	Month     string // "2026-02"
	MonthName string // "février 2026"
	Figures   []DigestFigure
	Comments  int
	Expiring  []ExpiringLink
	Link      string // the dashboard
	Settings  string // "Mon compte"
}

// DigestMessageID is the _id of the digest of month for one recipient
// (scope: a structure id or "region:<name>"): one per recipient and month,
// whichever instance plans it and however often.
func DigestMessageID(kind survey.MessageKind, scope, month, to string) string {
	return string(kind) + "." + scope + "." + month + "." + addressKey(to)
}

// StructureDigestMessage composes a structure's digest for one recipient.
func (t *Templates) StructureDigestMessage(d *StructureDigest, to string) (*survey.OutboxMessage, error) {
	msg := &survey.OutboxMessage{
		ID: DigestMessageID(KindStructureDigest, d.Structure.ID, d.Month, to), Kind: KindStructureDigest,
		StructureID: d.Structure.ID, To: to,
	}
	return msg, t.compose(msg, d.Structure.Name+" : vos chiffres de satisfaction de "+d.MonthName, d)
}

// RegionRow is one structure of a region's digest.
type RegionRow struct {
	Name     string
	Rate     string // response rate, or "non diffusé (moins de 5 réponses)"
	Withheld bool
	Sent     int
}

// QuietStructure is a structure that issued no survey for a while.
type QuietStructure struct {
	Name     string
	LastSent string // "12/11/2025", or "jamais"
}

// RegionDigest is what a region's monthly digest says.
type RegionDigest struct {
	Region    string
	Month     string
	MonthName string
	Ranked    []RegionRow // by response rate, withheld last
	Quiet     []QuietStructure
	QuietDays int
	Link      string
	Settings  string
}

// RegionDigestMessage composes a region's digest for one of its accounts.
func (t *Templates) RegionDigestMessage(d *RegionDigest, to string) (*survey.OutboxMessage, error) {
	msg := &survey.OutboxMessage{
		ID: DigestMessageID(KindRegionDigest, "region:"+d.Region, d.Month, to), Kind: KindRegionDigest,
		StructureID: NetworkSender, To: to,
	}
	return msg, t.compose(msg, "capsat : les structures de la région "+d.Region+" en "+d.MonthName, d)
}
