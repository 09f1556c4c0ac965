// pm-monitor reads a proclist server the way the original Go library's clients do, on Go's
// standard library only: each URL is the base URL with the path appended as it is (no escaping),
// the requests carry the original client's headers (User-Agent "go-pm", or Go's own with -agent
// go-default), and attributes are decoded into map[string]interface{} whose every value is then
// asserted to be a string, as the original's terminal monitor does to fill its columns: a value
// of another type panics here as it panics there.
//
// Usage: pm-monitor [-agent go-pm|go-default] <base URL> list|task <id>|history <id>|kill <id> <message>
// Prints one JSON line with what it read; an HTTP or URL error is printed as {"error": "…"}, exit 1.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"
)

type proc struct {
	Id         string                 `json:"id"`
	Attrs      map[string]interface{} `json:"attrs,omitempty"`
	ProcTime   time.Time              `json:"procTime"`
	StatusTime time.Time              `json:"statusTime"`
	Status     string                 `json:"status"`
	Cancelling bool                   `json:"cancelling,omitempty"`
}

type listAnswer struct {
	Procs      []proc    `json:"procs"`
	ServerTime time.Time `json:"serverTime"`
}

type taskAnswer struct {
	Proc    proc `json:"proc"`
	Running bool `json:"running"`
}

type historyAnswer struct {
	History []struct {
		Ts     time.Time `json:"ts"`
		Status string    `json:"status"`
	} `json:"history"`
	ServerTime time.Time `json:"serverTime"`
}

// row is what the monitor shows of a task: its columns are strings.
type row struct {
	Id     string            `json:"id"`
	Status string            `json:"status"`
	AgeSec float64           `json:"ageSec"`
	Cols   map[string]string `json:"cols"`
}

var agent = flag.String("agent", "go-pm", "go-pm: the original client's User-Agent; go-default: Go's own")

func request(verb, url string, body, result interface{}) error {
	buf := new(bytes.Buffer)
	if body != nil {
		if err := json.NewEncoder(buf).Encode(body); err != nil {
			return err
		}
	}
	req, err := http.NewRequest(verb, url, buf)
	if err != nil {
		return err
	}
	req.Header.Add("Accept", "application/json")
	req.Header.Add("Content-Type", "application/json")
	if *agent == "go-pm" {
		req.Header.Add("User-Agent", "go-pm")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode > 299 {
		return fmt.Errorf("HTTP Status Code %d from %s %s", resp.StatusCode, verb, url)
	}
	if result != nil {
		return json.NewDecoder(resp.Body).Decode(result)
	}
	return nil
}

func toRow(p proc, now time.Time) row {
	r := row{Id: p.Id, Status: p.Status, AgeSec: now.Sub(p.ProcTime).Seconds(), Cols: map[string]string{}}
	for name, value := range p.Attrs {
		r.Cols[name] = value.(string)
	}
	return r
}

func main() {
	flag.Parse()
	args := flag.Args()
	base, command := args[0], args[1]
	var out interface{}
	var err error
	switch command {
	case "list":
		var answer listAnswer
		if err = request("GET", base+"/procs/", nil, &answer); err == nil {
			rows := []row{}
			for _, p := range answer.Procs {
				rows = append(rows, toRow(p, answer.ServerTime))
			}
			out = rows
		}
	case "task":
		var answer taskAnswer
		if err = request("GET", fmt.Sprintf("%s/procs/%s", base, args[2]), nil, &answer); err == nil {
			out = toRow(answer.Proc, time.Now())
		}
	case "history":
		var answer historyAnswer
		if err = request("GET", fmt.Sprintf("%s/procs/%s/history", base, args[2]), nil, &answer); err == nil {
			statuses := []string{}
			for _, entry := range answer.History {
				statuses = append(statuses, entry.Status)
			}
			out = statuses
		}
	case "kill":
		body := struct {
			Message string `json:"message"`
		}{args[3]}
		if err = request("DELETE", fmt.Sprintf("%s/procs/%s", base, args[2]), body, nil); err == nil {
			out = "killed"
		}
	default:
		err = fmt.Errorf("unknown command %q", command)
	}
	if err != nil {
		json.NewEncoder(os.Stdout).Encode(map[string]string{"error": err.Error()})
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
