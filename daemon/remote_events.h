/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote_events: event registrations per client, and delivery of driver
 * events to every client registered for them.
 */
#pragma once

#include "driver.h"

/* The driver's event sink: deliver @ev (taken) to every registration that
 * matches it.  Safe from any thread; never blocks on a client. */
void vireo_remote_events_deliver(VireoDomainEvent *ev, void *opaque);

/* The storage driver's sink: deliver @ev (taken) to every storage pool
 * event registration that matches it.  Safe from any thread. */
void vireo_remote_pool_events_deliver(VireoPoolEvent *ev, void *opaque);
