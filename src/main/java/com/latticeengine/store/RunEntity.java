package com.latticeengine.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** The run table for plain CRUD reads (the run list, through RunQueries); the engine writes runs with SQL. */
@Entity
@Table(name = "run")
public class RunEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Enumerated(EnumType.STRING)
    public RunState state;

    public String processor;

    public String tenant;

    @Column(name = "task_count")
    public int taskCount;

    @Column(name = "created_at")
    public OffsetDateTime createdAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    /** {@code tenant} null = every tenant's runs (for admins). */
    static List<RunEntity> newestFirst(String tenant, RunState state, int page, int size) {
        Sort newest = Sort.descending("createdAt", "id");
        var query = tenant == null
                ? (state == null ? findAll(newest) : find("state", newest, state))
                : (state == null ? find("tenant", newest, tenant)
                        : find("tenant = ?1 and state = ?2", newest, tenant, state));
        return query.page(Page.of(page, size)).list();
    }
}
