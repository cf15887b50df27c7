package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/chromedp/chromedp"
)

// usage: shot BASE USER PASS WIDTH OUT PATH...
func main() {
	base, user, pass := os.Args[1], os.Args[2], os.Args[3]
	w, _ := strconv.Atoi(os.Args[4])
	out := os.Args[5]
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox, chromedp.Flag("headless", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	ctx, cancel3 := context.WithTimeout(ctx, 60*time.Second)
	defer cancel3()
	must(chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), 800),
		chromedp.Navigate(base+"/signin"), chromedp.SendKeys(chromedp.ID("name"), user), chromedp.SendKeys(chromedp.ID("password"), pass),
		chromedp.Submit(chromedp.ID("password")), chromedp.Sleep(3*time.Second)))
	for i, p := range os.Args[6:] {
		must(chromedp.Do(ctx, chromedp.Navigate(base+p), chromedp.Sleep(500*time.Millisecond)))
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		must(err)
		f := fmt.Sprintf("%s-%d.png", out, i)
		must(os.WriteFile(f, buf, 0o644))
		fmt.Println(f)
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
