// The "me" page lists the reports still waiting in the offline queue.
XQueue.renderList(document.getElementById('queue'));
