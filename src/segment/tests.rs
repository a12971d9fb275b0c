use super::*;

const SAMPLE: &str = include_str!("../../tests/fixtures/sample_page.txt");

fn labels(page: &Page) -> Vec<&'static str> {
    page.lines.iter().map(|l| l.label.as_str()).collect()
}

#[test]
fn sample_page_is_labelled_line_by_line() {
    let page = Segmenter::default().segment(SAMPLE);
    let want = [
        "headline", "teaser", "body", "body", "boilerplate", "body", "body", "body", "body", // article
        "teaser", "teaser", "teaser", "teaser", "teaser", "teaser", "teaser", // blurb list
        "boilerplate", "boilerplate", "boilerplate", "boilerplate",
    ];
    assert_eq!(labels(&page), want);
    assert_eq!(page.lines[4].reason, "rule:ad");
    assert_eq!(page.lines[1].reason, "truncated");
    assert_eq!(page.lines[16].reason, "rule:app");
    assert!(page.body.starts_with("The northern valley's apple growers"));
    assert!(page.body.ends_with("ripen fully."));
    assert!(!page.body.contains("Advertisement"));
}

#[test]
fn teasers_group_headline_and_lede() {
    let page = Segmenter::default().segment(SAMPLE);
    assert_eq!(page.teasers[0], Teaser { headline: Some(0), lede: Some(1), truncated: true });
    assert_eq!(page.teasers.len(), 8);
    assert!(page.teasers[1..].iter().all(|t| t.headline.is_none() && !t.truncated));
}

#[test]
fn spans_partition_input_and_body_is_body_lines() {
    for text in [SAMPLE, "", "\n", "one line", "a\r\nb\r\n", "x\n\n\ny"] {
        let page = Segmenter::default().segment(text);
        assert_eq!(page.lines.len(), text.split('\n').count());
        assert_eq!(page.lines.first().unwrap().start, 0);
        assert_eq!(page.lines.last().unwrap().end, text.chars().count());
        for w in page.lines.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        let body: Vec<&str> = page.lines.iter().filter(|l| l.label == Label::Body).map(|l| &text[l.bytes.clone()]).collect();
        assert_eq!(page.body, body.join("\n"));
        for l in &page.lines {
            assert!(REASONS.iter().any(|(r, _)| *r == l.reason), "{}", l.reason);
        }
    }
}

#[test]
fn short_paragraph_inside_article_stays_body() {
    let page = Segmenter::default().segment(SAMPLE);
    assert_eq!(page.lines[6].label, Label::Body, "{:?}", page.lines[6]);
}

#[test]
fn empty_and_blank_pages_have_no_body() {
    let seg = Segmenter::default();
    assert_eq!(seg.segment("").body, "");
    let page = seg.segment("\n  \n\t");
    assert!(page.lines.iter().all(|l| l.reason == "empty"));
}

#[test]
fn user_rules_override_prose() {
    let text = SAMPLE.replace("Olsen said the valley's", "SPONSORED: Olsen said the valley's");
    let rules = Rules::new(&[], &["^SPONSORED:".to_string()]).unwrap();
    let page = Segmenter::new(rules).segment(&text);
    assert_eq!(page.lines[6].label, Label::Boilerplate);
    assert_eq!(page.lines[6].reason, "user-rule");
}
/// Fourteen made-up stories (title, lede, further paragraphs) on unrelated topics, for the profile
/// tests: a fictional site's pages carry one story each and blurbs of the others.
const STORIES: &[(&str, &str, &[&str])] = &[
    (
        "Ferry terminal approved after long debate",
        "Harbour councillors approved a new ferry terminal on Monday after a debate that lasted most of the evening.",
        &[
            "The terminal will replace a wooden pier that has been closed to cars since a storm damaged its pillars two winters ago.",
            "Captain Ines Morrow, who runs the island crossing, said her crews had waited years for a berth that does not flood at high tide.",
            "Construction is due to start in the spring and should take about eighteen months, according to the port engineer.",
        ],
    ),
    (
        "Late frost cuts the apple harvest",
        "Growers in the northern valley expect their smallest apple harvest in a decade after a late frost in April.",
        &[
            "Blossom that opened early during a warm March was killed within two nights, and many trees set almost no fruit.",
            "Orchard owner Tomas Lindqvist said he would pick perhaps a third of last year's crop and sell most of it to the cider press.",
            "Agronomists advise planting later-flowering varieties, although new trees take five years to bear a useful crop.",
        ],
    ),
    (
        "Village library reopens its doors",
        "The village library reopened on Saturday after repairs to its roof and reading room took more than a year.",
        &[
            "Volunteers carried twelve thousand books back onto the shelves in a single weekend, working in shifts through the night.",
            "The librarian, Margit Olsen, said children's loans had doubled since the temporary branch opened in the school hall.",
            "A small café and a room for homework clubs were added while the builders were on site.",
        ],
    ),
    (
        "Cracks close the old river bridge",
        "PORTVILLE, Ont.",
        &[
            "PORTVILLE, Ont. — Engineers closed the old river bridge to all traffic after divers found deep cracks in one of its stone piers.",
            "Drivers face a detour of almost forty minutes through the hills until a temporary crossing can be built downstream.",
            "The bridge, which opened in 1911, carries about nine thousand vehicles on a normal weekday.",
        ],
    ),
    (
        "Choir wins national title.",
        "A youth choir from the mining town won the national championship with a programme of folk songs sung in three languages.",
        &[
            "The forty singers, aged between eleven and seventeen, rehearsed twice a week in a chapel with no heating.",
            "Their conductor, Dafydd Rees, said the judges praised the choir's breathing and its unusual arrangements.",
            "The prize includes a week of recording in the capital and a concert tour of the coast next summer.",
        ],
    ),
    (
        "Tram line to return after sixty years",
        "Councillors voted to rebuild the tram line that was torn up in the nineteen sixties to make room for buses.",
        &[
            "The first section will run from the railway station to the hospital, a distance of about four kilometres.",
            "Shopkeepers on the high street fear months of digging, while cycling groups want the tracks kept away from bike lanes.",
            "Engineers hope to use the original route, most of which still lies under a strip of grass beside the road.",
        ],
    ),
    (
        "Museum returns carved masks",
        "A city museum returned a collection of carved masks to the island community they were taken from a century ago.",
        &[
            "The forty masks were collected by a missionary in 1921 and had been kept in a basement store since the war.",
            "Elders from the island travelled for three days to receive them at a ceremony attended by the museum's staff.",
            "Curator Anouk de Vries said the return was the result of six years of letters, visits and research in the archives.",
        ],
    ),
    (
        "Storm knocks out power to thousands",
        "High winds brought down power lines across the western districts, leaving about fourteen thousand homes without electricity.",
        &[
            "Repair crews worked through Sunday night, but the utility warned that some farms may wait until Wednesday.",
            "A falling tree blocked the coast road for several hours and damaged two parked cars near the lighthouse.",
            "The weather service expects calmer conditions by the weekend, with showers and a sharp drop in temperature.",
        ],
    ),
    (
        "Marathon runner breaks course record",
        "A schoolteacher from the lakeside town broke the course record at the autumn marathon by almost two minutes.",
        &[
            "Helena Sorbo crossed the line in two hours and twenty-six minutes, well ahead of the professional field.",
            "She trains before lessons each morning on forest paths and had never run the distance in a race before.",
            "Organisers said a record eleven thousand runners started the race under clear skies and a light breeze.",
        ],
    ),
    (
        "Bakery celebrates a hundred years",
        "The family bakery on Mill Street celebrated its hundredth year by giving away a loaf to every customer on Friday.",
        &[
            "The queue stretched round the corner by seven o'clock, and the ovens ran without a break until the afternoon.",
            "Brothers Karl and Emil Brandt are the fourth generation to run the shop, which still uses their great-grandfather's recipes.",
            "A local historian has written a short book about the bakery, with photographs from every decade since it opened.",
        ],
    ),
    (
        "Wolves seen in the national park",
        "Rangers confirmed that a pack of five wolves has settled in the national park for the first time in over a century.",
        &[
            "Camera traps in the eastern forest recorded the animals on several nights in late October.",
            "Sheep farmers on the park's edge have been offered electric fencing and compensation for any losses.",
            "Biologists believe the pack crossed the mountains from the north, following herds of red deer.",
        ],
    ),
    (
        "Hospital opens a new maternity ward",
        "The county hospital opened a maternity ward with twenty private rooms, ending a wait of nine years for expectant parents.",
        &[
            "Midwives helped design the rooms, each of which has a bath, a fold-out bed and a window onto the garden.",
            "Until now, women from the upland villages had to travel more than an hour to give birth in the city.",
            "The ward was paid for partly by a fundraising drive that included a sponsored swim across the lake.",
        ],
    ),
    (
        "Chess prodigy takes the city title",
        "A nine-year-old girl won the city chess championship, beating three former champions on her way to the final.",
        &[
            "Priya Natarajan learned the game from her grandfather and now plays online for two hours after school.",
            "In the final she sacrificed a rook on the twentieth move and forced checkmate eleven moves later.",
            "The chess club says its junior section has grown from six members to forty since her first tournament.",
        ],
    ),
    (
        "Old mill becomes a concert hall",
        "A cotton mill that stood empty for thirty years will open next month as a concert hall with seats for six hundred people.",
        &[
            "The architects kept the iron columns and the brick arches of the weaving floor, which gives the hall its warm sound.",
            "A local orchestra will give the opening concert, followed by a weekend of jazz, folk and brass bands.",
            "Tickets for the first season went on sale on Thursday and half of them were sold by the evening.",
        ],
    ),
];

/// The pages of a fictional site, one story each: navigation, the story (its lede as the first
/// paragraph, except for the story whose lede is a cut dateline), a list of the `back` stories
/// before it (headline and lede, or lede alone), and the footer. Page `p` carries story
/// `p % 14`, its paragraphs told again in other words (a follow-up) from page 14 on; blurbs
/// wrap around.
fn site_pages(n: usize, back: usize, headlines: bool) -> Vec<String> {
    (0..n)
        .map(|p| {
            let k = p % STORIES.len();
            let (_, lede, paras) = STORIES[k];
            let follow_up = |para: &str| if p < STORIES.len() { para.to_string() } else { format!("In a follow-up report, {para}") };
            let mut lines: Vec<String> = ["Front page", "Sport", "Weather"].map(String::from).to_vec();
            if !paras[0].starts_with(lede) {
                lines.push(lede.to_string());
            }
            lines.extend(paras.iter().map(|para| follow_up(para)));
            lines.push("Elsewhere in the Chronicle".to_string());
            for b in 1..=back {
                let (title, lede, _) = STORIES[(k + STORIES.len() - b) % STORIES.len()];
                if headlines {
                    lines.push(title.to_string());
                }
                lines.push(lede.to_string());
            }
            lines.extend(["Tell us what you think", "© 2025 The Chronicle"].map(String::from));
            lines.join("\n")
        })
        .collect()
}

fn learn_site(pages: &[String]) -> crate::Profile {
    let pairs: Vec<(Option<&str>, &str)> = pages.iter().map(|p| (Some("chronicle.example"), p.as_str())).collect();
    crate::Profile::learn(&pairs, Some(1)).unwrap()
}

fn labelled(page: &str, profile: &crate::Profile) -> Vec<(&'static str, String)> {
    let seg = Segmenter::default().segment_with(page, profile.site(Some("chronicle.example")));
    seg.lines.iter().map(|l| (l.label.as_str(), page[l.bytes.clone()].to_string())).collect()
}

/// The labels of the lines after the line `after` and before the two footer lines.
fn labels_after(rows: &[(&'static str, String)], after: &str) -> Vec<&'static str> {
    let start = rows.iter().position(|(_, t)| t == after).unwrap() + 1;
    rows[start..rows.len() - 2].iter().map(|(l, _)| *l).collect()
}

/// The labels of the list after "Elsewhere in the Chronicle".
fn list_labels(rows: &[(&'static str, String)]) -> Vec<&'static str> {
    labels_after(rows, "Elsewhere in the Chronicle")
}

/// The pages of a site without a heading over its list: the list starts right after the article.
fn site_pages_without_heading(n: usize, back: usize, headlines: bool) -> Vec<String> {
    site_pages(n, back, headlines).iter().map(|p| p.replace("Elsewhere in the Chronicle\n", "")).collect()
}

#[test]
fn profiled_list_of_pairs_keeps_its_layout_around_odd_lines() {
    let pages = site_pages(28, 3, true);
    let profile = learn_site(&pages);
    // Pages 4 to 6 list story 3, whose lede is a cut dateline ("PORTVILLE, Ont."): it stays the
    // lede of its headline, never a headline of the next line. Pages 5 to 7 list story 4, whose
    // headline ends with a full stop.
    for (p, page) in pages.iter().enumerate().take(8).skip(4) {
        let rows = labelled(page, &profile);
        assert_eq!(list_labels(&rows), ["headline", "teaser"].repeat(3), "page {p}: {rows:#?}");
    }
    for p in [0, 4, 6, 13] {
        let rows = labelled(&pages[p], &profile);
        let body: Vec<&str> = rows.iter().filter(|(l, _)| *l == "body").map(|(_, t)| t.as_str()).collect();
        let (_, lede, paras) = STORIES[p % STORIES.len()];
        let mut want: Vec<&str> = if paras[0].starts_with(lede) { vec![] } else { vec![lede] };
        want.extend_from_slice(paras);
        assert_eq!(body, want, "page {p}: {rows:#?}");
    }
}

#[test]
fn profiled_list_of_ledes_keeps_a_title_shaped_lede_a_teaser() {
    let pages = site_pages(28, 3, false);
    let profile = learn_site(&pages);
    // Pages 4, 5 and 6 list the cut dateline at each position of the list.
    for p in [4, 5, 6] {
        let rows = labelled(&pages[p], &profile);
        assert_eq!(list_labels(&rows), ["teaser", "teaser", "teaser"], "page {p}: {rows:#?}");
    }
}

#[test]
fn profiled_run_does_not_pass_over_template_to_reach_a_reworded_blurb() {
    let pages = site_pages_without_heading(28, 5, false);
    let profile = learn_site(&pages);
    // This page words the last blurb of its list anew: the profile does not know that line,
    // and it reads as prose, but reaching it would take the article run over known blurbs.
    let (_, lede, _) = STORIES[5];
    let reworded = "Councillors have decided that the city will once again have trams, on a line that was ripped up during the nineteen sixties so that buses could take over the route.";
    let page = pages[10].replace(lede, reworded);
    assert_ne!(page, pages[10]);
    let rows = labelled(&page, &profile);
    let (_, lede, paras) = STORIES[10];
    assert_eq!(labels_after(&rows, paras[2]), ["teaser"; 5], "{rows:#?}");
    let body: Vec<&str> = rows.iter().filter(|(l, _)| *l == "body").map(|(_, t)| t.as_str()).collect();
    assert_eq!(body, [&[lede][..], paras].concat(), "{rows:#?}");
}

#[test]
fn profiled_unknown_line_between_list_lines_belongs_to_the_list() {
    let pages = site_pages_without_heading(28, 3, true);
    let profile = learn_site(&pages);
    // The first blurb's lede is worded anew on this page: between two known headlines, it is a
    // lede of the list, not the article's last paragraph.
    let (_, lede, _) = STORIES[9];
    let reworded = "The family bakery on Mill Street, which has been run by the Brandt brothers and their ancestors for four generations, marked a century in business on Friday by handing a free loaf of bread to every single customer who came through the door.";
    let page = pages[10].replace(lede, reworded);
    assert_ne!(page, pages[10]);
    let rows = labelled(&page, &profile);
    let (_, lede, paras) = STORIES[10];
    let body: Vec<&str> = rows.iter().filter(|(l, _)| *l == "body").map(|(_, t)| t.as_str()).collect();
    assert_eq!(body, [&[lede][..], paras].concat(), "{rows:#?}");
    assert_eq!(labels_after(&rows, paras[2]), ["headline", "teaser"].repeat(3), "{rows:#?}");
}

#[test]
fn profiled_run_keeps_section_marks_and_shared_sub_heads() {
    let mut pages = site_pages(28, 3, false);
    // A few of the site's articles share a sub-head; one has a section mark with no words.
    for p in [2, 5, 9] {
        let (_, _, paras) = STORIES[p];
        pages[p] = pages[p].replace(paras[1], &format!("What happens next\n{}", paras[1]));
    }
    let (_, _, paras) = STORIES[9];
    pages[9] = pages[9].replace(paras[2], &format!("* * *\n\u{200b}\n{}", paras[2]));
    let profile = learn_site(&pages);
    assert_eq!(profile.site(Some("chronicle.example")).unwrap().count("What happens next"), 3);
    for p in [2, 5, 9] {
        let rows = labelled(&pages[p], &profile);
        let label = |text: &str| rows.iter().find(|(_, t)| t == text).unwrap().0;
        assert_eq!(label("What happens next"), "body", "page {p}: {rows:#?}");
        if p == 9 {
            assert_eq!((label("* * *"), label("\u{200b}")), ("body", "body"), "{rows:#?}");
        }
    }
    // Without a profile a line with no words is boilerplate, as before.
    let plain = Segmenter::default().segment(&pages[9]);
    let star = pages[9].split('\n').position(|l| l == "* * *").unwrap();
    assert_eq!(plain.lines[star].reason, "empty");
}

#[test]
fn profiled_prose_on_every_page_is_chrome() {
    let cta = "Our reporters would love to hear your story ideas and your tips.";
    let pages: Vec<String> = site_pages(28, 3, false).iter().map(|p| p.replace("Tell us what you think", cta)).collect();
    let profile = learn_site(&pages);
    for page in &pages {
        let rows = labelled(page, &profile);
        let (label, _) = rows.iter().find(|(_, t)| t == cta).unwrap();
        assert_eq!(*label, "boilerplate", "{rows:#?}");
    }
}

#[test]
fn profiled_page_without_prose_keeps_its_own_lines_as_body() {
    let mut pages = site_pages(28, 3, false);
    // Page 20 carries a schedule instead of a story: no line reads as a sentence, but none of
    // them is on another page of the site.
    let schedule = ["Round one: 4 March – Harbour Park", "Round two: 18 March – Mill Lane", "Round three: 1 April – Lakeside", "Final: 15 April – Town Stadium"];
    let list: Vec<&str> = [5, 4, 3].iter().map(|&k| STORIES[k].1).collect();
    pages[20] = [&["Front page", "Sport", "Weather"][..], &schedule, &["Elsewhere in the Chronicle"], &list, &["Tell us what you think", "© 2025 The Chronicle"]]
        .concat()
        .join("\n");
    let profile = learn_site(&pages);
    let rows = labelled(&pages[20], &profile);
    let body: Vec<&str> = rows.iter().filter(|(l, _)| *l == "body").map(|(_, t)| t.as_str()).collect();
    assert_eq!(body, schedule, "{rows:#?}");
    assert_eq!(list_labels(&rows), ["teaser"; 3], "{rows:#?}");
}
