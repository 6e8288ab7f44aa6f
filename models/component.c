/* component.c — calls and replies along a request's stack (component.h). */
#include "tiersim/models/component.h"

#include <string.h>

void comp_call(struct sim *sim, struct request *r, struct component *callee)
{
    if (r->depth >= REQ_MAX_DEPTH) {
        /* a call chain this deep is a loop in the scenario's wiring: the caller sees the
         * call fail, as a gateway would answer, rather than the stack overrunning */
        r->status = REQ_E502;
        struct component *caller = req_top(r)->comp;
        caller->ops->resume(sim, caller, r);
        return;
    }
    struct frame *f = &r->stack[r->depth++];
    memset(f, 0, sizeof *f);
    f->comp = callee;
    callee->ops->accept(sim, callee, r);
}

void comp_reply(struct sim *sim, struct request *r, enum req_status status)
{
    TS_ASSERT(r->depth > 1);
    r->status = (uint16_t)status;
    r->depth--;
    struct component *c = r->stack[r->depth - 1].comp;
    c->ops->resume(sim, c, r);
}

const char *req_status_name(enum req_status s)
{
    switch (s) {
    case REQ_PENDING:
        return "pending";
#define XX(name, code, text)                                                                   \
    case REQ_##name:                                                                           \
        return text;
        REQ_STATUSES(XX)
#undef XX
    }
    return "?";
}
