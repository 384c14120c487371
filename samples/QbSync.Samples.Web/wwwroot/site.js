// The live progress of the first sync: polls the sample's /demo/progress and reloads the page once the work is done.
(function () {
    const region = document.getElementById("progress");
    if (!region) {
        return;
    }

    const bar = document.getElementById("sync-progress");
    const text = document.getElementById("progress-text");
    // Work open when the page was rendered counts: the table then shows it, so the page reloads once it is done.
    let sawWork = Number(region.dataset.openAtRender) > 0;
    async function poll() {
        try {
            const response = await fetch(region.dataset.progressUrl, { headers: { "Accept": "application/json" } });
            if (response.ok) {
                const p = await response.json();
                const open = p.pending + p.syncing;
                bar.max = p.total;
                bar.value = p.total - open;
                if (open > 0) {
                    sawWork = true;
                    text.textContent = `Syncing accounts… ${p.total - open} of ${p.total}`;
                } else {
                    text.textContent = "First sync finished";
                    if (sawWork) {
                        const url = new URL(window.location.href);
                        url.searchParams.delete("connected");
                        window.location.replace(url.toString());
                    }
                    return;
                }
            }
        } catch (e) {
            // Try again at the next tick.
        }
        setTimeout(poll, 500);
    }
    poll();
})();
