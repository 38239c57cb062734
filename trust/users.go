package trust

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// User is the user whose nix commands the verdict is for.
type User struct {
	UID  int
	GID  int    // primary (effective) group
	Name string // from the user database; the decimal UID when it has no entry
	// Group is the primary group's name, the decimal GID when it has none.
	Group string
}

// currentUser returns the user running the checker, as the daemon would
// see it connect: its effective UID and GID, named from the machine's
// /etc/passwd and /etc/group.
func currentUser(m machineFS) User {
	u := User{UID: os.Geteuid(), GID: os.Getegid()}
	u.Name = lookupName(m, "/etc/passwd", u.UID)
	u.Group = lookupName(m, "/etc/group", u.GID)
	return u
}

// dbEntries calls fn with the ':'-separated fields of each line of a
// passwd- or group-style file.
func dbEntries(m machineFS, file string, fn func(f []string) bool) {
	data, err := m.readFile(file)
	if err != nil {
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || line[0] == '+' || line[0] == '-' {
			continue
		}
		if !fn(strings.Split(line, ":")) {
			return
		}
	}
}

// lookupName returns the name of the numeric id in a passwd or group file,
// or the number itself.
func lookupName(m machineFS, file string, id int) string {
	name := strconv.Itoa(id)
	dbEntries(m, file, func(f []string) bool {
		if len(f) >= 3 && f[2] == strconv.Itoa(id) {
			name = f[0]
			return false
		}
		return true
	})
	return name
}

// homeOf returns the home directory of the user with the given UID, as
// getpwuid gives it.
func homeOf(m machineFS, uid int) string {
	home := ""
	dbEntries(m, "/etc/passwd", func(f []string) bool {
		if len(f) >= 6 && f[2] == strconv.Itoa(uid) {
			home = f[5]
			return false
		}
		return true
	})
	if home == "" && uid == 0 {
		home = "/root"
		if runtime.GOOS == "darwin" {
			home = "/var/root"
		}
	}
	return home
}

// groupMembers returns the members listed for a group in /etc/group.
func groupMembers(m machineFS, group string) (members []string, ok bool) {
	dbEntries(m, "/etc/group", func(f []string) bool {
		if len(f) >= 4 && f[0] == group {
			ok = true
			if f[3] != "" {
				members = strings.Split(f[3], ",")
			}
			return false
		}
		return true
	})
	return members, ok
}

// matchUser is the daemon's matchUser: whether the list (trusted-users or
// allowed-users) names the user: "*", the user's name, "@group" for the
// user's primary group, or "@group" for a group that lists the user as a
// member. It returns the entry that matched.
func matchUser(m machineFS, u User, list []string) (string, bool) {
	if slices.Contains(list, "*") {
		return "*", true
	}
	if slices.Contains(list, u.Name) {
		return u.Name, true
	}
	for _, e := range list {
		g, ok := strings.CutPrefix(e, "@")
		if !ok {
			continue
		}
		if g == u.Group {
			return e, true
		}
		if members, _ := groupMembers(m, g); slices.Contains(members, u.Name) {
			return e, true
		}
	}
	return "", false
}
