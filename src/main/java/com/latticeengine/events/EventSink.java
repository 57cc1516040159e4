package com.latticeengine.events;

import com.latticeengine.store.RunEvent;

/** Where a subscriber's events go (an SSE connection); every method reports false once it is gone. */
public interface EventSink {

    boolean send(RunEvent event);

    /** A comment line that keeps idle proxies from closing the connection. */
    boolean keepAlive();

    void close();
}
