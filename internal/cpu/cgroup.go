package cpu

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// cgroupDirs lists, for each kind of hierarchy, the directories of the
// process's cgroup from the leaf up to the root of the mount.
type cgroupDirs struct {
	v1cpu  []string
	v1acct []string
	v2     []string
}

// mount is a cgroup file system from /proc/self/mountinfo.
type mount struct {
	root  string // the hierarchy path mounted
	point string // where it is mounted
	v2    bool
	ctrl  []string // v1 controllers (super options)
}

// findCgroups reads root/proc/self/cgroup and root/proc/self/mountinfo and
// resolves the process's cgroup directories. Missing or unreadable files
// give empty lists.
func findCgroups(root string) cgroupDirs {
	var dirs cgroupDirs
	mounts := readMounts(filepath.Join(root, "proc", "self", "mountinfo"))
	f, err := os.Open(filepath.Join(root, "proc", "self", "cgroup"))
	if err != nil {
		return dirs
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// hierarchy-ID:controller-list:cgroup-path
		id, rest, ok1 := strings.Cut(sc.Text(), ":")
		ctrls, cgPath, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 {
			continue
		}
		if id == "0" && ctrls == "" {
			if m, ok := findMount(mounts, func(m mount) bool { return m.v2 }); ok {
				dirs.v2 = resolve(root, m, cgPath)
			}
			continue
		}
		for _, c := range strings.Split(ctrls, ",") {
			if c != "cpu" && c != "cpuacct" {
				continue
			}
			m, ok := findMount(mounts, func(m mount) bool { return !m.v2 && has(m.ctrl, c) })
			if !ok {
				continue
			}
			if c == "cpu" {
				dirs.v1cpu = resolve(root, m, cgPath)
			} else {
				dirs.v1acct = resolve(root, m, cgPath)
			}
		}
	}
	return dirs
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func findMount(mounts []mount, match func(mount) bool) (mount, bool) {
	for _, m := range mounts {
		if match(m) {
			return m, true
		}
	}
	return mount{}, false
}

// resolve maps the cgroup path cg to directories under mount m, leaf first,
// up to the mount point. When the leaf does not exist (a container that
// sees its own cgroup at the mount point without a cgroup namespace), the
// mount point alone is used.
func resolve(root string, m mount, cg string) []string {
	cg = path.Clean("/" + cg)
	rel := ""
	if m.root == "/" {
		rel = cg
	} else if r, ok := strings.CutPrefix(cg, m.root); ok && (r == "" || r[0] == '/') {
		rel = r
	}
	base := filepath.Join(root, m.point)
	leaf := filepath.Join(base, filepath.FromSlash(path.Clean("/"+rel)))
	if st, err := os.Stat(leaf); err != nil || !st.IsDir() {
		return []string{base}
	}
	var dirs []string
	for dir := leaf; ; dir = filepath.Dir(dir) {
		dirs = append(dirs, dir)
		if dir == base || len(dir) <= len(base) {
			break
		}
	}
	return dirs
}

// readMounts returns the cgroup mounts listed in a mountinfo file:
//
//	36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//	(1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
func readMounts(name string) []mount {
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	var mounts []mount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		pf, sf := strings.Fields(pre), strings.Fields(post)
		if len(pf) < 5 || len(sf) < 3 {
			continue
		}
		m := mount{root: unescape(pf[3]), point: unescape(pf[4])}
		switch sf[0] {
		case "cgroup2":
			m.v2 = true
		case "cgroup":
			m.ctrl = strings.Split(sf[2], ",")
		default:
			continue
		}
		mounts = append(mounts, m)
	}
	return mounts
}

// unescape undoes the octal escapes (\040 for a space) of mountinfo paths.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// field returns the first blank-separated field of b and what follows it.
func field(b []byte) (f, rest []byte) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	j := i
	for j < len(b) && !isSpace(b[j]) {
		j++
	}
	return b[i:j], b[j:]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lookup returns the rest of the line of b that starts with key followed by
// a blank, up to the end of that line.
func lookup(b []byte, key string) ([]byte, bool) {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(line) > len(key) && string(line[:len(key)]) == key && (line[len(key)] == ' ' || line[len(key)] == '\t') {
			return line[len(key):], true
		}
	}
	return nil, false
}

// parseInt parses a decimal integer with an optional minus sign.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}
