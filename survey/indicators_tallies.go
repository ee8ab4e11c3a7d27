package survey

// addTally counts a month's tallies in the buckets its cohort falls in, as
// addResponse and the unanswered surveys would have one by one.
func (c *computation) addTally(t *MonthTally) {
	start, _, err := MonthBounds(t.Month)
	if err != nil {
		return
	}
	ss := &t.Service
	in := c.each(start, ss.Service, func(b *bucket) {
		b.sent += ss.Issued
		b.answered += ss.Responses
		b.comments += ss.Comments
		for _, ch := range ss.Channels {
			b.byChannel[channelIndex(ch.Channel.Normal())] += ch.Responses
			b.handedOut[channelIndex(ch.Channel.Normal())] += ch.HandedOut
		}
		for _, q := range ss.Questions {
			if q.Type == QuestionText || q.Type == "" {
				continue
			}
			qt := b.question(q.Code)
			for v, n := range q.Counts {
				qt.addN(v, n)
				if role := roleTally(b, q.Role); role != nil {
					role.addN(v, n)
				}
			}
		}
	})
	if !in {
		return
	}
	for _, v := range ss.Versions {
		c.used[c.versionID(v.Family, v.Version)] += v.Responses
	}
}

// roleTally is the bucket's tally of a headline role, nil for others.
func roleTally(b *bucket, role QuestionRole) *tally {
	switch role {
	case RoleOverall:
		return &b.overall
	case RoleReuse:
		return &b.reuse
	case RoleRecommend:
		return &b.nps
	}
	return nil
}

// versionID is the id of a structure's questionnaire version by family and
// number ("" for a version no longer listed).
func (c *computation) versionID(family string, version int) string {
	for id, q := range c.questionnaires {
		if q.FamilyID == family && q.Version == version {
			return id
		}
	}
	return ""
}
