package selector

import "time"

// SetNow makes s, a *Default that has not been applied nodes yet, use now
// as the clock of its ejection.
func SetNow(s Selector, now func() time.Time) {
	s.(*Default).now = now
}

// Ejected returns the addresses of the ejected nodes of s, a *Default.
func Ejected(s Selector) []string {
	var out []string
	if set := s.(*Default).set.Load(); set != nil {
		for _, wn := range set.nodes {
			if h, ok := wn.(*healthNode); ok && h.state.Load() != stateIn {
				out = append(out, h.Address())
			}
		}
	}
	return out
}
